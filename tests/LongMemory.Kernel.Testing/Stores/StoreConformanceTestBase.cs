using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The base of every store conformance suite (one suite per store interface). A backend derives one small class per suite
/// and creates a fresh, empty <see cref="MemoryStoreSet"/> in <see cref="CreateStoresAsync"/>; the tests use only the
/// public store interfaces.
/// </summary>
/// <remarks>
/// Owners are unique per test instance, so a backend whose "fresh" stores share a server (one schema for a whole test
/// class) still isolates tests. The outbox is global to a store set, so a backend must give each test its own outbox (a
/// fresh database file, a fresh schema) for the outbox suite's counts to hold.
/// </remarks>
public abstract class StoreConformanceTestBase : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..10];
    private MemoryStoreSet? _stores;

    /// <summary>Gets the stores under test.</summary>
    protected MemoryStoreSet Stores => _stores ?? throw new InvalidOperationException("The stores are created in InitializeAsync.");

    /// <summary>Gets the first user of this test.</summary>
    protected MemoryOwner Alice => MemoryOwner.User("alice-" + _run);

    /// <summary>Gets the second user of this test.</summary>
    protected MemoryOwner Bob => MemoryOwner.User("bob-" + _run);

    /// <summary>Gets an anonymous-session owner whose id is spelled like <see cref="Alice"/>'s key, to attack prefix tricks.</summary>
    protected MemoryOwner AnonymousLookalike => MemoryOwner.AnonymousSession("user:alice-" + _run);

    /// <summary>Creates fresh, empty stores.</summary>
    /// <returns>The stores.</returns>
    protected abstract Task<MemoryStoreSet> CreateStoresAsync();

    /// <inheritdoc />
    public async Task InitializeAsync() => _stores = await CreateStoresAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }
    }
}
