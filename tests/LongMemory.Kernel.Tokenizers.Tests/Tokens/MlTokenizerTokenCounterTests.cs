using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace LongMemory.Kernel.Tokenizers.Tests.Tokens;

public sealed class MlTokenizerTokenCounterTests
{
    /// <summary>Texts that exercise tiktoken's pre-tokenizer: contractions, digits, punctuation runs, whitespace, scripts, emoji.</summary>
    public static TheoryData<string> Samples =>
    [
        string.Empty,
        "Hello, world!",
        "I'm sure they'll say it's 12,345.67 dollars; we've paid 1000000 already.",
        "   leading and trailing spaces   \n\n\ttabs\r\nand CRLF\n",
        "def count(xs):\n    return sum(1 for x in xs if x % 2 == 0)  # even ones\n",
        "{\"name\":\"Dana\",\"city\":\"Lisbon\",\"tags\":[\"a\",\"b\"],\"n\":42}",
        "Ça va? Größe, naïve café, São Paulo, Łódź.",
        "東京は日本の首都です。北京是中国的首都。서울은 한국의 수도입니다.",
        "Привет, как дела? Γειά σου κόσμε. مرحبا بالعالم. שלום עולם. नमस्ते दुनिया",
        "Emoji: 👋🏽 👨‍👩‍👧‍👦 🇵🇹 ✨🚀 and ❤️",
        "URLs https://example.com/a/b?c=d&e=f#g and e-mail dana@example.org",
        "!!!???...---___***   $$$%%%^^^",
        "ALLCAPS lowercase MiXeDcAsE camelCase snake_case kebab-case",
    ];

    public static TheoryData<string> Encodings => ["o200k_base", "cl100k_base"];

    [Theory]
    [MemberData(nameof(Samples))]
    public void CountTokens_O200kText_EqualsTiktokenTokenCounter(string text)
    {
        var counter = new MlTokenizerTokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base"));

        Assert.Equal(TiktokenTokenCounter.CreateO200kBase().CountTokens(text), counter.CountTokens(text));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void CountTokens_Cl100kText_EqualsTiktokenTokenCounter(string text)
    {
        var counter = new MlTokenizerTokenCounter(TiktokenTokenizer.CreateForEncoding("cl100k_base"));

        Assert.Equal(TiktokenTokenCounter.CreateCl100kBase().CountTokens(text), counter.CountTokens(text));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void CountTokens_LongText_EqualsTiktokenTokenCounter(string encoding)
    {
        var text = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Turn {i}: the user said they moved to Lisbon in {1990 + i} and can't wait 🙂. ");
        }

        var counter = new MlTokenizerTokenCounter(TiktokenTokenizer.CreateForEncoding(encoding));
        var ours = encoding == "o200k_base" ? TiktokenTokenCounter.CreateO200kBase() : TiktokenTokenCounter.CreateCl100kBase();

        Assert.Equal(ours.CountTokens(text.ToString()), counter.CountTokens(text.ToString()));
    }

    [Fact]
    public void CountTokens_Messages_EqualsTiktokenTokenCounterIncludingToolCallsNamesAndOverhead()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are a helpful assistant."),
            new(ChatRole.User, "Where do I live?") { AuthorName = "dana" },
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "ListKnowledge", new Dictionary<string, object?> { ["key"] = "location", ["limit"] = 3 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", JsonSerializer.SerializeToElement(new { facts = new[] { "location: Lisbon" } }))]),
            new(ChatRole.Tool, [new FunctionResultContent("call_2", "plain text result")]),
            new(ChatRole.Assistant, "You live in Lisbon. 🇵🇹"),
        ];
        var overhead = new ChatTokenOverheadOptions { TokensPerMessage = 4, TokensPerName = 2, ReplyPrimingTokens = 5 };

        var counter = new MlTokenizerTokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base"), overhead);

        Assert.Equal(TiktokenTokenCounter.CreateO200kBase(overhead).CountTokens(messages), counter.CountTokens(messages));
    }

    [Fact]
    public void CountTokens_MessagesWithDefaultOverhead_AddsCookbookOverheadToTheTexts()
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var counter = new MlTokenizerTokenCounter(tokenizer);
        List<ChatMessage> messages = [new(ChatRole.User, "Hello there"), new(ChatRole.Assistant, "Hi!")];

        var expected = 3 + tokenizer.CountTokens("user") + tokenizer.CountTokens("Hello there")
                     + 3 + tokenizer.CountTokens("assistant") + tokenizer.CountTokens("Hi!")
                     + 3;

        Assert.Equal(expected, counter.CountTokens(messages));
    }

    [Fact]
    public void Constructor_OverheadChangedLater_CounterKeepsItsCopy()
    {
        var overhead = new ChatTokenOverheadOptions { TokensPerMessage = 10 };
        var counter = new MlTokenizerTokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base"), overhead);
        var before = counter.CountTokens([new ChatMessage(ChatRole.User, "hi")]);

        overhead.TokensPerMessage = 0;

        Assert.Equal(before, counter.CountTokens([new ChatMessage(ChatRole.User, "hi")]));
    }

    [Fact]
    public void CountTokens_BertWordPiece_CountsPiecesWithoutClsAndSep()
    {
        using var vocab = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "play", "##ing", "!")));
        var counter = new MlTokenizerTokenCounter(BertTokenizer.Create(vocab));

        Assert.Equal(5, counter.CountTokens("Hello world playing!")); // hello, world, play, ##ing, !
        Assert.Equal(3 + (1 + 2) + 3, counter.CountTokens([new ChatMessage(ChatRole.User, "hello world")])); // "user" is [UNK]
    }

    [Fact]
    public void CreateForModel_Gpt4o_CountsLikeO200k()
    {
        var counter = MlTokenizerTokenCounter.CreateForModel("gpt-4o");

        Assert.Equal(TiktokenTokenCounter.CreateO200kBase().CountTokens("Lisbon is lovely in May."), counter.CountTokens("Lisbon is lovely in May."));
    }

    [Fact]
    public void Guards_NullOrBadArguments_Throw()
    {
        var counter = new MlTokenizerTokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base"));

        Assert.Throws<ArgumentNullException>("tokenizer", () => new MlTokenizerTokenCounter(null!));
        Assert.Throws<ArgumentNullException>("text", () => counter.CountTokens((string)null!));
        Assert.Throws<ArgumentNullException>("messages", () => counter.CountTokens((IEnumerable<ChatMessage>)null!));
        Assert.Throws<ArgumentException>("messages", () => counter.CountTokens([new ChatMessage(ChatRole.User, "hi"), null!]));
        Assert.Throws<ArgumentException>("modelName", () => MlTokenizerTokenCounter.CreateForModel(" "));
        Assert.Equal(0, counter.CountTokens(string.Empty));
        Assert.Equal(3, counter.CountTokens([]));
    }
}
