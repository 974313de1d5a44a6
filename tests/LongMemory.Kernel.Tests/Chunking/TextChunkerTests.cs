using System.Text;

namespace LongMemory.Kernel.Tests.Chunking;

public class TextChunkerTests
{
    [Fact]
    public void Chunk_ShortText_ReturnsOneChunk()
    {
        var chunks = new TextChunker().Chunk("Hello there.");

        var chunk = Assert.Single(chunks);
        Assert.Equal(0, chunk.Index);
        Assert.Equal(0, chunk.Start);
        Assert.Equal("Hello there.", chunk.Text);
    }

    [Fact]
    public void Chunk_EmptyText_ReturnsNoChunk()
    {
        Assert.Empty(new TextChunker().Chunk(string.Empty));
        Assert.Equal(string.Empty, TextChunker.Reassemble([]));
    }

    [Fact]
    public void Chunk_Sentences_CutsAtSentenceBoundaries()
    {
        var chunker = new TextChunker(new TextChunkerOptions { MaxChunkTokens = 12 });
        var text = "The first sentence is here. The second one follows it! Is this the third? Yes, and 3.14 is not a boundary.";

        var chunks = chunker.Chunk(text);

        Assert.True(chunks.Count > 1);
        Assert.Equal(text, TextChunker.Reassemble(chunks));
        Assert.All(chunks.SkipLast(1), c => Assert.Matches(@"[.!?]\s*$", c.Text));
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 12));
        Assert.DoesNotContain(chunks, c => c.Text.EndsWith("3.", StringComparison.Ordinal));
    }

    [Fact]
    public void Chunk_LongSentence_FallsBackToWordBoundaries()
    {
        var chunker = new TextChunker(new TextChunkerOptions { MaxChunkTokens = 5 });
        var text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));

        var chunks = chunker.Chunk(text);

        Assert.Equal(text, TextChunker.Reassemble(chunks));
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 5));
        Assert.All(chunks.SkipLast(1), c => Assert.EndsWith(" ", c.Text));
    }

    [Fact]
    public void Chunk_OneHugeWordWithEmoji_SplitsByCharactersWithoutBreakingSurrogatePairs()
    {
        var chunker = new TextChunker(new TextChunkerOptions { MaxChunkTokens = 3 });
        var text = string.Concat(Enumerable.Repeat("a😀b", 200));

        var chunks = chunker.Chunk(text);

        Assert.Equal(text, TextChunker.Reassemble(chunks));
        Assert.All(chunks, c =>
        {
            Assert.False(char.IsLowSurrogate(c.Text[0]));
            Assert.False(char.IsHighSurrogate(c.Text[^1]));
            Assert.InRange(c.TokenCount, 1, 3);
        });
    }

    [Fact]
    public void Chunk_CjkWithoutSpaces_CutsAtIdeographicFullStops()
    {
        var chunker = new TextChunker(new TextChunkerOptions { MaxChunkTokens = 8 });
        var text = string.Concat(Enumerable.Repeat("今日は良い天気ですね。明日も晴れるでしょうか？", 20));

        var chunks = chunker.Chunk(text);

        Assert.True(chunks.Count > 1);
        Assert.Equal(text, TextChunker.Reassemble(chunks));
        Assert.All(chunks.SkipLast(1), c => Assert.True(c.Text[^1] is '。' or '？', c.Text));
    }

    [Fact]
    public void Chunk_OneMegabyteOfMixedText_ReassemblesExactlyWithContiguousOffsets()
    {
        var random = new Random(7);
        var parts = new[] { "Plain words go here", "東京は大きい", "emoji 🎉🚀 party", "no-punctuation-run", "Quote: \"Done!\"", "\n\n", "\t" };
        var builder = new StringBuilder();
        while (builder.Length < 1_000_000)
        {
            builder.Append(parts[random.Next(parts.Length)]).Append(random.Next(4) == 0 ? ". " : " ");
        }

        var text = builder.ToString();
        var chunks = new TextChunker().Chunk(text);

        Assert.Equal(text, TextChunker.Reassemble(chunks));
        var offset = 0;
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(i, chunks[i].Index);
            Assert.Equal(offset, chunks[i].Start);
            Assert.InRange(chunks[i].TokenCount, 1, 256);
            offset += chunks[i].Length;
        }
    }

    [Fact]
    public void Chunk_NoPunctuationNoSpaces_SplitsAndReassembles()
    {
        var text = new string('x', 10_000);

        var chunks = new TextChunker(new TextChunkerOptions { MaxChunkTokens = 100 }).Chunk(text);

        Assert.Equal(25, chunks.Count);
        Assert.Equal(text, TextChunker.Reassemble(chunks));
    }

    [Fact]
    public void Chunk_WithTokenCounter_UsesItsCounts()
    {
        var counter = new WordTokenCounter();
        var chunker = new TextChunker(counter, new TextChunkerOptions { MaxChunkTokens = 4 });

        var chunks = chunker.Chunk("one two three. four five six seven eight nine. ten.");

        Assert.Equal(["one two three. ", "four five six seven ", "eight nine. ten."], chunks.Select(c => c.Text));
        Assert.True(counter.Calls > 0);
    }

    [Fact]
    public void Reassemble_MissingChunk_Throws()
    {
        var chunks = new TextChunker(new TextChunkerOptions { MaxChunkTokens = 2 }).Chunk("aaaa. bbbb. cccc. dddd.");

        Assert.Throws<ArgumentException>(() => TextChunker.Reassemble(chunks.Where(c => c.Index != 1)));
    }

    [Fact]
    public void Constructor_NonPositiveMaxTokens_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextChunker(new TextChunkerOptions { MaxChunkTokens = 0 }));
    }

    private sealed class WordTokenCounter : ITokenCounter
    {
        public int Calls { get; private set; }

        public int CountTokens(string text)
        {
            Calls++;
            return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        }

        public int CountTokens(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages) => messages.Sum(m => CountTokens(m.Text));
    }
}
