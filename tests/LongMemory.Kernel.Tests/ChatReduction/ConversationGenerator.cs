using System.Globalization;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.ChatReduction;

/// <summary>Generates deterministic chat turns: user questions with facts and numbers, answers, and tool calls with results.</summary>
internal sealed class ConversationGenerator(int seed, double toolCallShare = 0.2)
{
    private static readonly string[] Names = ["Alice", "Bruno", "Chen", "Dara", "Emeka", "Freya", "Goran", "Hana"];
    private static readonly string[] Places = ["Lisbon", "Osaka", "Denver", "Nairobi", "Tallinn", "Quito"];
    private static readonly string[] Topics = ["the budget", "the trip", "the garden", "the new laptop", "the marathon plan", "the book club", "the kitchen renovation"];
    private static readonly string[] Fillers = ["honestly", "really", "probably", "quite", "a bit", "somewhat", "still", "maybe"];

    private readonly Random _random = new(seed);
    private int _turn;
    private int _callId;

    /// <summary>Returns the messages of the next turn: a user message, then either an answer or a tool call, its results and an answer.</summary>
    public List<ChatMessage> NextTurn()
    {
        _turn++;
        var messages = new List<ChatMessage> { new(ChatRole.User, UserText()) };
        if (_random.NextDouble() < toolCallShare)
        {
            var calls = _random.Next(1, 3);
            var callContents = new List<AIContent>();
            var results = new List<ChatMessage>();
            for (var i = 0; i < calls; i++)
            {
                var id = "call_" + (++_callId).ToString(CultureInfo.InvariantCulture);
                callContents.Add(new FunctionCallContent(id, "get_weather", new Dictionary<string, object?> { ["city"] = Pick(Places) }));
                results.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(id, $"{_random.Next(-5, 35)} degrees and {Pick(["sunny", "rainy", "windy"])} in {Pick(Places)}")]));
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, callContents));
            messages.AddRange(results);
        }

        messages.Add(new ChatMessage(ChatRole.Assistant, AssistantText()));
        return messages;
    }

    private string UserText()
    {
        var parts = new List<string>
        {
            $"Turn {_turn}: {Pick(Names)} asked me about {Pick(Topics)} and it is {Pick(Fillers)} on my mind.",
        };
        if (_random.NextDouble() < 0.4)
        {
            parts.Add($"We agreed to spend {_random.Next(10, 900)} euros before {Pick(["Monday", "Friday", "March 3", "June 12"])}.");
        }

        if (_random.NextDouble() < 0.3)
        {
            parts.Add($"Can you remind me what {Pick(Names)} said about {Pick(Places)}?");
        }

        return string.Join(' ', parts);
    }

    private string AssistantText()
    {
        var sentences = _random.Next(1, 4);
        var parts = new List<string>();
        for (var i = 0; i < sentences; i++)
        {
            parts.Add($"Regarding {Pick(Topics)}, I suggest you {Pick(["wait a week", "check the numbers", "ask " + Pick(Names), "book early", "compare three offers"])} since it is {Pick(Fillers)} sensible.");
        }

        return string.Join(' ', parts);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
