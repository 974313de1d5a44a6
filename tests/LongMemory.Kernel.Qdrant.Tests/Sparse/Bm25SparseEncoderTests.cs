using LongMemory.Kernel.Qdrant.Sparse;

namespace LongMemory.Kernel.Qdrant.Tests.Sparse;

public sealed class Bm25SparseEncoderTests
{
    private readonly Bm25SparseEncoder _encoder = new(1.2, 0.75, 256);

    [Fact]
    public void TermIds_CaseAndPunctuation_AreIgnored()
    {
        Assert.Equal(Bm25SparseEncoder.TermIds("zebra"), Bm25SparseEncoder.TermIds("\"ZEBRA*\""));
        Assert.Equal(2, Bm25SparseEncoder.TermIds("text:zebra").Count);
        Assert.Empty(Bm25SparseEncoder.TermIds("?!... --- 🎉"));
    }

    [Fact]
    public void EncodeDocument_RepeatedTerm_WeighsMoreButSaturatesBelowK1PlusOne()
    {
        var (indices, values) = _encoder.EncodeDocument("apple apple apple banana");

        Assert.Equal(2, indices.Length);
        Assert.Equal(indices.Order(), indices);
        var apple = values[Array.IndexOf(indices, Bm25SparseEncoder.TermIds("apple")[0])];
        var banana = values[Array.IndexOf(indices, Bm25SparseEncoder.TermIds("banana")[0])];
        Assert.True(apple > banana);
        Assert.True(apple < 2.2f);
    }

    [Fact]
    public void EncodeDocument_LongerText_WeighsTheSameTermLess()
    {
        var shortText = _encoder.EncodeDocument("apple").Values[0];
        var longText = _encoder.EncodeDocument("apple " + string.Join(' ', Enumerable.Range(0, 500).Select(i => "w" + i)));
        var apple = longText.Values[Array.IndexOf(longText.Indices, Bm25SparseEncoder.TermIds("apple")[0])];

        Assert.True(apple < shortText);
    }

    [Fact]
    public void EncodeQuery_RepeatedTerms_WeighOnceEach()
    {
        var (indices, values) = Bm25SparseEncoder.EncodeQuery("Lisbon lisbon flight");

        Assert.Equal(2, indices.Length);
        Assert.All(values, v => Assert.Equal(1f, v));
    }
}
