using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Knowledge;

public sealed class PatternFactExtractorTests
{
    private readonly PatternFactExtractor _extractor = new();

    [Theory]
    [InlineData("My name is Alice.", "name", "Alice")]
    [InlineData("my name is bob", "name", "Bob")]
    [InlineData("Hi, I'm Carla and I need help.", "name", "Carla")]
    [InlineData("You can call me Dev.", "name", "Dev")]
    [InlineData("I live in New York, and it is loud.", "location", "New York")]
    [InlineData("Last year I moved to Berlin for work.", "location", "Berlin")]
    [InlineData("I'm from Portugal originally.", "hometown", "Portugal")]
    [InlineData("I work as a nurse at night.", "job", "nurse")]
    [InlineData("I'm a data engineer at Contoso.", "job", "data engineer")]
    [InlineData("I'm a data engineer at Contoso.", "employer", "Contoso")]
    [InlineData("My job is software tester.", "job", "software tester")]
    [InlineData("My wife is named Sara.", "wife_name", "Sara")]
    [InlineData("my dog is called Rex!", "dog_name", "Rex")]
    [InlineData("My brother's name is Tom.", "brother_name", "Tom")]
    [InlineData("I love hiking.", "preference_hiking", "likes hiking")]
    [InlineData("I really hate cilantro, honestly.", "preference_cilantro", "dislikes cilantro")]
    [InlineData("I enjoy playing chess", "preference_playing_chess", "likes playing chess")]
    [InlineData("My favourite colour is green.", "favorite_color", "green")]
    [InlineData("My email is sam@example.com.", "email", "sam@example.com")]
    [InlineData("Allergies: peanuts", "allergies", "peanuts")]
    public void Extract_StatedFact_IsFound(string text, string key, string value)
    {
        var fact = Assert.Single(_extractor.Extract(text, 7), f => f.Key == key);

        Assert.Equal(value, fact.Value);
        Assert.Equal(7, fact.SourceMessageId);
        Assert.InRange(fact.Confidence, 0.5, 1);
    }

    [Theory]
    [InlineData("I'm tired.")]
    [InlineData("I'm Tired.")]
    [InlineData("I'm not sure about that.")]
    [InlineData("I'm German.")]
    [InlineData("I'm so happy today!")]
    [InlineData("I live in a small flat.")]
    [InlineData("I'd like a coffee.")]
    [InlineData("I like it.")]
    [InlineData("My back is killing me.")]
    [InlineData("My problem is the printer.")]
    [InlineData("See https://example.com for details.")]
    [InlineData("I'm a bit tired at the moment.")]
    public void Extract_NoFactStated_FindsNothing(string text)
    {
        Assert.Empty(_extractor.Extract(text));
    }

    [Fact]
    public async Task ExtractAsync_OnlyReadsUserMessages()
    {
        StoredMessage[] messages =
        [
            new() { Id = 1, SessionId = "s", Role = ChatRole.Assistant, Content = "My name is Assistant Bot and I live in Paris." },
            new() { Id = 2, SessionId = "s", Role = ChatRole.User, Content = "I live in Rome." },
            new() { Id = 3, SessionId = "s", Role = ChatRole.Tool, Content = "name: Tool Output" },
        ];

        var facts = await _extractor.ExtractAsync(messages);

        var fact = Assert.Single(facts);
        Assert.Equal(("location", "Rome", 2L), (fact.Key, fact.Value, fact.SourceMessageId!.Value));
    }
}
