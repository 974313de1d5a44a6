using Grpc.Core;

namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>Everything the fake server holds, behind one lock: collections, recorded calls and queued faults.</summary>
internal sealed class FakeQdrantState(string? apiKey)
{
    private readonly List<RecordedCall> _calls = [];
    private readonly Queue<Status?> _faults = new();

    public object Gate { get; } = new();

    public string? ApiKey { get; } = apiKey;

    public Dictionary<string, FakeCollection> Collections { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<RecordedCall> Calls
    {
        get
        {
            lock (Gate)
            {
                return [.. _calls];
            }
        }
    }

    public void Record(RecordedCall call)
    {
        lock (Gate)
        {
            _calls.Add(call);
        }
    }

    /// <summary>Queues a fault for the next call: a status to fail with, or <see langword="null"/> to hang until the caller gives up.</summary>
    public void Enqueue(Status? fault)
    {
        lock (Gate)
        {
            _faults.Enqueue(fault);
        }
    }

    public bool TryTakeFault(out Status? fault)
    {
        lock (Gate)
        {
            return _faults.TryDequeue(out fault);
        }
    }

    /// <summary>Gets a collection, or throws Qdrant's NOT_FOUND. Call under <see cref="Gate"/>.</summary>
    public FakeCollection Get(string name) => Collections.TryGetValue(name, out var collection) ? collection : throw QdrantErrors.CollectionNotFound(name);
}
