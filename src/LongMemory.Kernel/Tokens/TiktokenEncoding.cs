using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace LongMemory.Kernel;

/// <summary>
/// One tiktoken encoding: the mergeable ranks (loaded from an embedded, Brotli-compressed resource), the
/// pre-tokenizer pattern and the byte-pair merge. Immutable after loading and safe to share between threads.
/// </summary>
/// <remarks>
/// Resource format (made by <c>tests/Tools/pack-tiktoken-ranks.cs</c>): Brotli over <c>"TKR1"</c>, the rank count as a
/// little-endian int32, then for each rank in order a length byte followed by the token's bytes. The decompressed
/// buffer is kept as is; ranks are looked up in an open-addressing table of (hash tag, rank) pairs, so a lookup
/// hashes the span once and compares bytes only on a tag match.
/// </remarks>
internal sealed class TiktokenEncoding
{
    // Pieces longer than this merge with a priority queue (O(n log n)) instead of tiktoken's rescanning loop
    // (O(n^2)); both give the same tokens.
    internal const int LinearMergeLimit = 256;

    private const int NoRank = int.MaxValue;
    private const int StackBufferBytes = 512;

    private static readonly Lazy<TiktokenEncoding> LazyO200k = new(
        () => Load("o200k_base", "o200k_base.tkr.br", TiktokenPattern.O200k), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<TiktokenEncoding> LazyCl100k = new(
        () => Load("cl100k_base", "cl100k_base.tkr.br", TiktokenPattern.Cl100k), LazyThreadSafetyMode.ExecutionAndPublication);

    private static int _loadCount;

    private readonly byte[] _data;
    private readonly int[] _offsets;
    private readonly ulong[] _table;
    private readonly int _mask;

    private TiktokenEncoding(string name, TiktokenPattern pattern, byte[] data, int[] offsets)
    {
        Name = name;
        Pattern = pattern;
        _data = data;
        _offsets = offsets;
        var rankCount = offsets.Length - 1;
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)rankCount * 2);
        _table = new ulong[size];
        _mask = size - 1;
        for (var rank = 0; rank < rankCount; rank++)
        {
            var token = TokenBytes(rank);
            var hash = Hash(token);
            var slot = (int)hash & _mask;
            while (_table[slot] != 0)
            {
                if (TokenBytes((int)(uint)_table[slot] - 1).SequenceEqual(token))
                {
                    throw new InvalidDataException($"Token of rank {rank} in '{name}' duplicates an earlier token.");
                }

                slot = (slot + 1) & _mask;
            }

            _table[slot] = (hash & 0xFFFF_FFFF_0000_0000UL) | (uint)(rank + 1);
        }
    }

    /// <summary>Gets the o200k_base encoding, loaded on first use.</summary>
    public static TiktokenEncoding O200kBase => LazyO200k.Value;

    /// <summary>Gets the cl100k_base encoding, loaded on first use.</summary>
    public static TiktokenEncoding Cl100kBase => LazyCl100k.Value;

    /// <summary>Gets how many encodings this process has loaded (for tests of the load-once guarantee).</summary>
    internal static int LoadCount => Volatile.Read(ref _loadCount);

    /// <summary>Gets the encoding's name, for example <c>o200k_base</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the pre-tokenization pattern.</summary>
    public TiktokenPattern Pattern { get; }

    /// <summary>Gets the number of mergeable ranks.</summary>
    public int RankCount => _offsets.Length - 1;

    /// <summary>Gets the bytes of the token with the given rank.</summary>
    public ReadOnlySpan<byte> TokenBytes(int rank) => _data.AsSpan(_offsets[rank], _offsets[rank + 1] - _offsets[rank] - 1);

    /// <summary>Looks up the rank of a byte sequence, or returns -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Rank(ReadOnlySpan<byte> bytes)
    {
        var hash = Hash(bytes);
        var tag = hash & 0xFFFF_FFFF_0000_0000UL;
        var slot = (int)hash & _mask;
        while (true)
        {
            var entry = _table[slot];
            if (entry == 0)
            {
                return -1;
            }

            if ((entry & 0xFFFF_FFFF_0000_0000UL) == tag)
            {
                var rank = (int)(uint)entry - 1;
                var start = _offsets[rank];
                if (_offsets[rank + 1] - start - 1 == bytes.Length && bytes.SequenceEqual(_data.AsSpan(start, bytes.Length)))
                {
                    return rank;
                }
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Counts the tokens of a text with encode_ordinary semantics.</summary>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var count = 0;
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[StackBufferBytes];
        var position = 0;
        while (position < text.Length)
        {
            var end = TiktokenPreTokenizer.NextPieceEnd(text, position, Pattern);
            var piece = Utf8(text[position..end], ref buffer, ref rented);
            count += Rank(piece) >= 0 ? 1 : Merge(piece, null);
            position = end;
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return count;
    }

    /// <summary>Encodes a text into token ranks with encode_ordinary semantics.</summary>
    public List<int> Encode(ReadOnlySpan<char> text)
    {
        var tokens = new List<int>(text.Length / 3 + 1);
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[StackBufferBytes];
        var position = 0;
        while (position < text.Length)
        {
            var end = TiktokenPreTokenizer.NextPieceEnd(text, position, Pattern);
            var piece = Utf8(text[position..end], ref buffer, ref rented);
            var rank = Rank(piece);
            if (rank >= 0)
            {
                tokens.Add(rank);
            }
            else
            {
                Merge(piece, tokens);
            }

            position = end;
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return tokens;
    }

    /// <summary>Returns the bytes the given tokens stand for.</summary>
    public byte[] Decode(IEnumerable<int> tokens)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var token in tokens)
        {
            output.Write(TokenBytes(token));
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Byte-pair merges a piece that is not a token itself; returns the token count and adds ranks to
    /// <paramref name="output"/> when given.</summary>
    internal int Merge(ReadOnlySpan<byte> piece, List<int>? output)
        => piece.Length <= LinearMergeLimit ? MergeLinear(piece, output) : MergeWithQueue(piece, output);

    /// <summary>tiktoken's <c>byte_pair_merge</c>: merge the lowest-ranked adjacent pair (leftmost on ties) until
    /// no pair is a token.</summary>
    internal int MergeLinear(ReadOnlySpan<byte> piece, List<int>? output)
    {
        var n = piece.Length;
        if (n == 1)
        {
            output?.Add(Rank(piece));
            return 1;
        }

        // parts[i] starts at starts[i]; ranks[i] is the rank of parts[i] + parts[i+1].
        Span<int> starts = stackalloc int[n + 1];
        Span<int> ranks = stackalloc int[n + 1];
        for (var i = 0; i < n - 1; i++)
        {
            starts[i] = i;
            ranks[i] = RankOrMax(piece.Slice(i, 2));
        }

        starts[n - 1] = n - 1;
        ranks[n - 1] = NoRank;
        starts[n] = n;
        ranks[n] = NoRank;
        var count = n + 1;

        while (true)
        {
            var minRank = NoRank;
            var minIndex = -1;
            for (var i = 0; i < count - 1; i++)
            {
                if (ranks[i] < minRank)
                {
                    minRank = ranks[i];
                    minIndex = i;
                }
            }

            if (minIndex < 0)
            {
                break;
            }

            // Merge parts[minIndex] and parts[minIndex + 1]; the pair ranks on both sides change.
            if (minIndex > 0)
            {
                ranks[minIndex - 1] = minIndex + 2 < count ? RankOrMax(piece[starts[minIndex - 1]..starts[minIndex + 2]]) : NoRank;
            }

            ranks[minIndex] = minIndex + 3 < count ? RankOrMax(piece[starts[minIndex]..starts[minIndex + 3]]) : NoRank;
            starts[(minIndex + 2)..count].CopyTo(starts[(minIndex + 1)..]);
            ranks[(minIndex + 2)..count].CopyTo(ranks[(minIndex + 1)..]);
            count--;
        }

        if (output is not null)
        {
            for (var i = 0; i < count - 1; i++)
            {
                output.Add(Rank(piece[starts[i]..starts[i + 1]]));
            }
        }

        return count - 1;
    }

    /// <summary>The same merge order as <see cref="MergeLinear"/> with a priority queue keyed on (rank, start),
    /// so long pieces (a run of 100k spaces is one piece) stay O(n log n).</summary>
    internal int MergeWithQueue(ReadOnlySpan<byte> piece, List<int>? output)
    {
        var n = piece.Length;
        var next = new int[n];
        var previous = new int[n];
        var pairRank = new int[n];
        var queue = new PriorityQueue<int, long>(n);
        for (var i = 0; i < n; i++)
        {
            next[i] = i + 1;
            previous[i] = i - 1;
            pairRank[i] = i + 1 < n ? RankOrMax(piece.Slice(i, 2)) : NoRank;
            if (pairRank[i] != NoRank)
            {
                queue.Enqueue(i, Key(pairRank[i], i));
            }
        }

        var alive = n;
        while (queue.TryDequeue(out var start, out var key))
        {
            // Stale entries: the part was merged away or its pair changed since it was queued.
            if (previous[start] == -2 || pairRank[start] != (int)(key >> 32))
            {
                continue;
            }

            var removed = next[start];
            next[start] = next[removed];
            if (next[start] < n)
            {
                previous[next[start]] = start;
            }

            previous[removed] = -2;
            alive--;

            pairRank[start] = PairRank(piece, start, next);
            if (pairRank[start] != NoRank)
            {
                queue.Enqueue(start, Key(pairRank[start], start));
            }

            var before = previous[start];
            if (before >= 0)
            {
                pairRank[before] = PairRank(piece, before, next);
                if (pairRank[before] != NoRank)
                {
                    queue.Enqueue(before, Key(pairRank[before], before));
                }
            }
        }

        if (output is not null)
        {
            for (var i = 0; i < n; i = next[i])
            {
                output.Add(Rank(piece[i..next[i]]));
            }
        }

        return alive;

        static long Key(int rank, int start) => ((long)rank << 32) | (uint)start;
    }

    private static TiktokenEncoding Load(string name, string resourceFile, TiktokenPattern pattern)
    {
        var resourceName = "LongMemory.Kernel.Tokens.Data." + resourceFile;
        using var stream = typeof(TiktokenEncoding).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The embedded rank data '{resourceName}' is missing from {typeof(TiktokenEncoding).Assembly.GetName().Name}.");
        using var brotli = new BrotliStream(stream, CompressionMode.Decompress);
        using var raw = new MemoryStream(capacity: 2 * 1024 * 1024);
        brotli.CopyTo(raw);
        var data = raw.GetBuffer();
        var length = (int)raw.Length;

        if (length < 8 || !data.AsSpan(0, 4).SequenceEqual("TKR1"u8))
        {
            throw new InvalidDataException($"The embedded rank data '{resourceName}' has an unknown format.");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(4));
        var offsets = new int[count + 1];
        var position = 8;
        for (var rank = 0; rank < count; rank++)
        {
            if (position >= length || position + 1 + data[position] > length)
            {
                throw new InvalidDataException($"The embedded rank data '{resourceName}' ends inside rank {rank}.");
            }

            // offsets[rank] points at the token's bytes; its length byte sits just before them, and the next
            // token's bytes start one byte after its end, hence the "- 1" in TokenBytes.
            offsets[rank] = position + 1;
            position += 1 + data[position];
        }

        offsets[count] = position + 1;
        var encoding = new TiktokenEncoding(name, pattern, data, offsets);
        Interlocked.Increment(ref _loadCount);
        return encoding;
    }

    private static ReadOnlySpan<byte> Utf8(ReadOnlySpan<char> chars, ref Span<byte> buffer, ref byte[]? rented)
    {
        // Invalid UTF-16 (lone surrogates) becomes EF BF BD (U+FFFD), as when Rust receives the text.
        var max = chars.Length * 3;
        if (max > buffer.Length)
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            rented = ArrayPool<byte>.Shared.Rent(max);
            buffer = rented;
        }

        var written = Encoding.UTF8.GetBytes(chars, buffer);
        return buffer[..written];
    }

    private int PairRank(ReadOnlySpan<byte> piece, int start, int[] next)
    {
        var middle = next[start];
        if (middle >= piece.Length)
        {
            return NoRank;
        }

        return RankOrMax(piece[start..next[middle]]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int RankOrMax(ReadOnlySpan<byte> bytes)
    {
        var rank = Rank(bytes);
        return rank < 0 ? NoRank : rank;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15UL;
        var h = (ulong)bytes.Length * Multiplier;
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * Multiplier;
            h ^= h >> 29;
        }

        ulong tail = 0;
        for (var shift = 0; i < bytes.Length; i++, shift += 8)
        {
            tail |= (ulong)bytes[i] << shift;
        }

        h = (h ^ tail) * 0xFF51AFD7ED558CCDUL;
        h ^= h >> 32;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 29;
        return h;
    }
}
