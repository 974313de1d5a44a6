using BenchmarkDotNet.Attributes;
using LongMemory.Kernel.Tokenizers;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace LongMemory.Kernel.Benchmarks.Micro;

/// <summary>
/// Exact BPE counting of a short and a long chat message: our tiktoken counter (the baseline) side by side with
/// Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> (text) and <see cref="MlTokenizerTokenCounter"/> over it
/// (the message with its chat overhead), for o200k_base and cl100k_base. Both give the same counts.
/// </summary>
public class TokenCountingBenchmarks
{
    private TiktokenTokenCounter _ours = null!;
    private TiktokenTokenizer _ml = null!;
    private MlTokenizerTokenCounter _mlCounter = null!;
    private string _text = null!;
    private ChatMessage[] _message = null!;

    [Params("o200k_base", "cl100k_base")]
    public string Encoding { get; set; } = "o200k_base";

    [Params("short", "long")]
    public string Text { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        _ours = Encoding == "o200k_base" ? TiktokenTokenCounter.CreateO200kBase() : TiktokenTokenCounter.CreateCl100kBase();
        _ml = TiktokenTokenizer.CreateForEncoding(Encoding);
        _mlCounter = new MlTokenizerTokenCounter(_ml);
        _text = Text == "short" ? ChatTexts.Short : ChatTexts.Long;
        _message = [new ChatMessage(ChatRole.User, _text)];
        if (_ours.CountTokens(_text) != _ml.CountTokens(_text) || _ours.CountTokens(_message) != _mlCounter.CountTokens(_message))
        {
            throw new InvalidOperationException($"The counters disagree on the {Text} text for {Encoding}.");
        }
    }

    [Benchmark(Baseline = true)]
    public int Ours() => _ours.CountTokens(_text);

    [Benchmark]
    public int MlTokenizers() => _ml.CountTokens(_text);

    [Benchmark]
    public int OursMessage() => _ours.CountTokens(_message);

    [Benchmark]
    public int MlTokenizersMessage() => _mlCounter.CountTokens(_message);
}
