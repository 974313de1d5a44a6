using System.Text;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Tokens;

public class TiktokenTokenCounterTests
{
    public static TheoryData<string> Encodings => new() { "o200k_base", "cl100k_base" };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void CountTokens_EveryOracleLine_MatchesRustTiktoken(string encoding)
    {
        var counter = Create(encoding);
        var failures = new List<string>();
        foreach (var line in TiktokenOracle.Lines)
        {
            var expected = encoding == "o200k_base" ? line.O200kBase : line.Cl100kBase;
            var actual = counter.CountTokens(line.Text);
            if (actual != expected)
            {
                failures.Add($"line {line.Index}: expected {expected}, got {actual}: \"{TiktokenOracle.Escape(line.Text)}\"");
            }
        }

        Assert.True(TiktokenOracle.Lines.Count >= 1000, $"The oracle has only {TiktokenOracle.Lines.Count} lines.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {TiktokenOracle.Lines.Count} oracle lines differ for {encoding}:\n" + string.Join('\n', failures.Take(40)));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void EncodeOrdinary_EveryOracleLine_DecodesBackToTheUtf8OfTheText(string encoding)
    {
        var counter = Create(encoding);
        foreach (var line in TiktokenOracle.Lines)
        {
            var tokens = counter.EncodeOrdinary(line.Text);
            Assert.Equal(counter.CountTokens(line.Text), tokens.Count);
            Assert.Equal(Encoding.UTF8.GetBytes(line.Text), counter.Encoding.Decode(tokens));
        }
    }

    [Theory]
    [InlineData("o200k_base", "hello world", new[] { 24912, 2375 })]
    [InlineData("cl100k_base", "hello world", new[] { 15339, 1917 })]
    [InlineData("o200k_base", "\ufeff", new[] { 5574 })]
    [InlineData("cl100k_base", "", new int[0])]
    public void EncodeOrdinary_KnownTexts_ReturnsTiktokensIds(string encoding, string text, int[] expected)
    {
        Assert.Equal(expected, Create(encoding).EncodeOrdinary(text));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void EncodeOrdinary_SpecialTokenText_IsOrdinaryText(string encoding)
    {
        var counter = Create(encoding);

        var tokens = counter.EncodeOrdinary("<|endoftext|>");

        Assert.True(tokens.Count > 1);
        Assert.DoesNotContain(encoding == "o200k_base" ? 199999 : 100257, tokens);
    }

    [Fact]
    public void CountTokens_AstralLetters_StayOnePieceWithFollowingLetters()
    {
        var counter = TiktokenTokenCounter.CreateO200kBase();

        // U+20000 and U+20001 are letters (Lo): one pre-token with "abc" in Rust; .NET Regex would split them off.
        var pieces = Pieces("\U00020000\U00020001abc", TiktokenPattern.O200k);

        Assert.Equal(["\U00020000\U00020001abc"], pieces);
        Assert.Equal(counter.EncodeOrdinary("\U00020000\U00020001abc").Count, counter.CountTokens("\U00020000\U00020001abc"));
        Assert.Equal(["\U0001D400\U0001D401", " ", "𝟙𝟚𝟛", "𝟜"], Pieces("\U0001D400\U0001D401 𝟙𝟚𝟛𝟜", TiktokenPattern.Cl100k));
    }

    [Fact]
    public void CountTokens_LoneSurrogates_CountAsReplacementCharacter()
    {
        // Built in code: attribute arguments cannot carry lone surrogates.
        (string Text, string Equivalent)[] cases =
        [
            ("\ud800", "\ufffd"),
            ("ab\udc00cd", "ab\ufffdcd"),
            ("\ud83d\ud83d x", "\ufffd\ufffd x"),
            ("word\udfff's", "word\ufffd's"),
        ];
        foreach (var counter in new[] { TiktokenTokenCounter.CreateO200kBase(), TiktokenTokenCounter.CreateCl100kBase() })
        {
            foreach (var (text, equivalent) in cases)
            {
                Assert.True(text.Any(char.IsSurrogate), "The case must hold a lone surrogate.");
                Assert.Equal(counter.EncodeOrdinary(equivalent), counter.EncodeOrdinary(text));
            }
        }
    }

    [Theory]
    [InlineData("Hello world", new[] { "Hello", " world" })]
    [InlineData("I'm HAPPY'S", new[] { "I'm", " HAPPY'S" })]
    [InlineData("a   b\n\n  c  ", new[] { "a", "  ", " b", "\n\n", " ", " c", "  " })]
    [InlineData("x1234/\n/y", new[] { "x", "123", "4", "/\n/", "y" })]
    [InlineData("日本語のテキスト", new[] { "日本語のテキスト" })]
    [InlineData("👋🏽 ok", new[] { "👋🏽", " ok" })]
    [InlineData("\u00a0\u3000x", new[] { "\u00a0", "\u3000x" })]
    public void NextPieceEnd_O200k_SplitsLikeTheRegex(string text, string[] expected)
    {
        Assert.Equal(expected, Pieces(text, TiktokenPattern.O200k));
    }

    [Theory]
    [InlineData("I'm HAPPY'S", new[] { "I", "'m", " HAPPY", "'S" })]
    [InlineData("don't  \t\n\nstop", new[] { "don", "'t", "  \t\n\n", "stop" })]
    [InlineData("x1234/\n/y", new[] { "x", "123", "4", "/\n", "/y" })]
    public void NextPieceEnd_Cl100k_SplitsLikeTheRegex(string text, string[] expected)
    {
        Assert.Equal(expected, Pieces(text, TiktokenPattern.Cl100k));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Merge_LongPieces_QueueAndLinearMergeAgree(string encoding)
    {
        var encoder = Create(encoding).Encoding;
        var random = new Random(1234);
        const string Alphabet = "aaabbeinst e.,'Zé日🙂";
        for (var round = 0; round < 200; round++)
        {
            var builder = new StringBuilder();
            var length = random.Next(2, 200);
            for (var i = 0; i < length; i++)
            {
                builder.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            var piece = Encoding.UTF8.GetBytes(builder.ToString());
            var linear = new List<int>();
            var queued = new List<int>();
            Assert.Equal(encoder.MergeLinear(piece, linear), encoder.MergeWithQueue(piece, queued));
            Assert.Equal(linear, queued);
        }
    }

    [Fact]
    public void CountTokens_HugeRuns_FinishAndRoundTrip()
    {
        var counter = TiktokenTokenCounter.CreateO200kBase();
        var spaces = new string(' ', 200_000);
        var letters = new string('a', 200_000);

        var tokens = counter.EncodeOrdinary(letters);

        Assert.InRange(counter.CountTokens(spaces), 1, 200_000);
        Assert.Equal(letters, Encoding.UTF8.GetString(counter.Encoding.Decode(tokens)));
        Assert.Equal(tokens.Count, counter.CountTokens(letters));
    }

    [Fact]
    public void CountTokens_Span_MatchesString()
    {
        var counter = TiktokenTokenCounter.CreateCl100kBase();
        const string Text = "The quick brown fox 🦊 jumps over 13 lazy dogs.\r\n";

        Assert.Equal(counter.CountTokens(Text), counter.CountTokens(Text.AsSpan()));
    }

    [Fact]
    public void Members_NullArguments_Throw()
    {
        var counter = TiktokenTokenCounter.CreateO200kBase();

        Assert.Throws<ArgumentNullException>("text", () => counter.CountTokens((string)null!));
        Assert.Throws<ArgumentNullException>("messages", () => counter.CountTokens((IEnumerable<ChatMessage>)null!));
        Assert.Throws<ArgumentNullException>("text", () => counter.EncodeOrdinary(null!));
        Assert.Throws<ArgumentException>("messages", () => counter.CountTokens(new ChatMessage[] { null! }));
    }

    [Fact]
    public void CountTokens_Messages_AddsCookbookOverhead()
    {
        var counter = TiktokenTokenCounter.CreateO200kBase();
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You are helpful."),
            new(ChatRole.User, "hello world") { AuthorName = "ann" },
        ];

        var expected = 3 + counter.CountTokens("system") + counter.CountTokens("You are helpful.")
            + 3 + counter.CountTokens("user") + counter.CountTokens("hello world") + 1 + counter.CountTokens("ann")
            + 3;

        Assert.Equal(expected, counter.CountTokens(messages));
        Assert.Equal(3, counter.CountTokens(Array.Empty<ChatMessage>()));
    }

    [Fact]
    public void CountTokens_Messages_UsesConfiguredOverhead()
    {
        var overhead = new ChatTokenOverheadOptions { TokensPerMessage = 5, TokensPerName = 0, ReplyPrimingTokens = 0 };
        var counter = TiktokenTokenCounter.CreateCl100kBase(overhead);
        overhead.TokensPerMessage = 100;

        Assert.Equal(5 + 1 + 2, counter.CountTokens([new ChatMessage(ChatRole.User, "hello world")]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatTokenOverheadOptions { ReplyPrimingTokens = -1 });
    }

    [Fact]
    public void CountTokens_ToolCallAndResult_CountNameArgumentsAndResultJson()
    {
        var counter = TiktokenTokenCounter.CreateO200kBase(new ChatTokenOverheadOptions { TokensPerMessage = 0, ReplyPrimingTokens = 0 });
        var arguments = new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 3 };
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", arguments)]);
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", new Forecast("sunny", 21))]);
        var text = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c2", "plain text result")]);

        Assert.Equal(
            counter.CountTokens("assistant") + counter.CountTokens("get_weather") + counter.CountTokens("{\"city\":\"Paris\",\"days\":3}"),
            counter.CountTokens([call]));
        Assert.Equal(
            counter.CountTokens("tool") + counter.CountTokens("{\"sky\":\"sunny\",\"celsius\":21}"),
            counter.CountTokens([result]));
        Assert.Equal(counter.CountTokens("tool") + counter.CountTokens("plain text result"), counter.CountTokens([text]));
    }

    [Theory]
    [InlineData("o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d")]
    [InlineData("cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")]
    public void EmbeddedRanks_RebuildOpenAisPublishedFile(string name, string publishedSha256)
    {
        // The .tiktoken text ("base64 rank" per line) rebuilt from the embedded ranks hashes to OpenAI's published
        // SHA-256 of that file, so every rank and byte sequence is the original without shipping the 5 MB of rank files.
        var encoding = name == "o200k_base" ? TiktokenEncoding.O200kBase : TiktokenEncoding.Cl100kBase;
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        for (var rank = 0; rank < encoding.RankCount; rank++)
        {
            var bytes = encoding.TokenBytes(rank).ToArray();
            Assert.Equal(rank, encoding.Rank(bytes));
            sha.AppendData(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(bytes) + " " + rank.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
        }

        Assert.Equal(publishedSha256, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    [Fact]
    public void EmbeddedLicense_ShipsWithTheRanks()
    {
        using var stream = typeof(TiktokenTokenCounter).Assembly.GetManifestResourceStream("LongMemory.Kernel.Tokens.Data.LICENSE-tiktoken");

        Assert.NotNull(stream);
        Assert.Contains("MIT License", new StreamReader(stream).ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ManyThreads_ShareOneLoadedEncodingEach()
    {
        var counters = new TiktokenTokenCounter[64];

        Parallel.For(0, counters.Length, i => counters[i] = i % 2 == 0 ? TiktokenTokenCounter.CreateO200kBase() : TiktokenTokenCounter.CreateCl100kBase());

        Assert.All(counters, c => Assert.Same(c.EncodingName == "o200k_base" ? TiktokenEncoding.O200kBase : TiktokenEncoding.Cl100kBase, c.Encoding));
        Assert.Equal(2, TiktokenEncoding.LoadCount);
        Assert.Equal(["cl100k_base", "o200k_base"], counters.Select(c => c.EncodingName).Distinct().Order());
    }

    internal static TiktokenTokenCounter Create(string encoding)
        => encoding == "o200k_base" ? TiktokenTokenCounter.CreateO200kBase() : TiktokenTokenCounter.CreateCl100kBase();

    private static List<string> Pieces(string text, TiktokenPattern pattern)
    {
        var pieces = new List<string>();
        for (var position = 0; position < text.Length;)
        {
            var end = TiktokenPreTokenizer.NextPieceEnd(text, position, pattern);
            pieces.Add(text[position..end]);
            position = end;
        }

        return pieces;
    }

    private sealed record Forecast(string Sky, int Celsius);
}
