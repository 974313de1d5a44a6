namespace LongMemory.Kernel.Benchmarks.Retrieval;

/// <summary>
/// Accumulates evidence recall@k: per question, the share of its evidence turns found among the top k retrieved
/// turns, averaged over questions, per category and overall.
/// </summary>
internal sealed class RecallAtK
{
    private readonly IReadOnlyList<int> _ks;
    private readonly Dictionary<int, (int Questions, double[] Sums)> _byCategory = [];

    public RecallAtK(IReadOnlyList<int> ks)
    {
        _ks = ks;
    }

    public IReadOnlyList<int> Ks => _ks;

    /// <summary>Adds a question: <paramref name="ranked"/> is the retrieved turns best first (duplicates ignored).</summary>
    public void Add(int category, IReadOnlyCollection<string> evidence, IReadOnlyList<string> ranked)
    {
        if (evidence.Count == 0)
        {
            return;
        }

        if (!_byCategory.TryGetValue(category, out var entry))
        {
            entry = (0, new double[_ks.Count]);
        }

        for (var i = 0; i < _ks.Count; i++)
        {
            var top = ranked.Distinct(StringComparer.Ordinal).Take(_ks[i]).ToHashSet(StringComparer.Ordinal);
            entry.Sums[i] += evidence.Count(top.Contains) / (double)evidence.Count;
        }

        _byCategory[category] = (entry.Questions + 1, entry.Sums);
    }

    public IEnumerable<int> Categories => _byCategory.Keys.Order();

    public int Questions(int category) => _byCategory.TryGetValue(category, out var e) ? e.Questions : 0;

    /// <summary>Mean recall@k over the questions of the given categories.</summary>
    public double Recall(int k, IEnumerable<int> categories)
    {
        var index = IndexOf(k);
        var questions = 0;
        var sum = 0.0;
        foreach (var category in categories)
        {
            if (_byCategory.TryGetValue(category, out var e))
            {
                questions += e.Questions;
                sum += e.Sums[index];
            }
        }

        return questions == 0 ? 0 : sum / questions;
    }

    public int QuestionsIn(IEnumerable<int> categories) => categories.Sum(Questions);

    private int IndexOf(int k)
    {
        for (var i = 0; i < _ks.Count; i++)
        {
            if (_ks[i] == k)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(k), k, "Not a measured k.");
    }
}
