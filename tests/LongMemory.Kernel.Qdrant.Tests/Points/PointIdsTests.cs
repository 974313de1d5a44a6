using LongMemory.Kernel.Qdrant.Points;

namespace LongMemory.Kernel.Qdrant.Tests.Points;

public sealed class PointIdsTests
{
    [Fact]
    public void NameBased_RfcExample_MatchesTheVersion5Uuid()
    {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") in Python's standard library.
        Assert.Equal("886313e1-3b8a-5372-9b90-0c9aee199e5d", PointIds.NameBased(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "python.org"));
    }

    [Fact]
    public void For_SameOwnerAndId_IsStableAndAVersion5Uuid()
    {
        var id = PointIds.For("alice", "msg:42:0");

        Assert.Equal(id, PointIds.For("alice", "msg:42:0"));
        Assert.Equal('5', id[14]);
        Assert.Contains(id[19], "89ab");
    }

    [Theory]
    [InlineData("a:b", "c", "a", "b:c")]
    [InlineData("alice", "m1", "bob", "m1")]
    [InlineData("alice", "m1", "alice", "m2")]
    public void For_DifferentOwnerOrId_GivesDifferentPoints(string owner1, string id1, string owner2, string id2)
    {
        Assert.NotEqual(PointIds.For(owner1, id1), PointIds.For(owner2, id2));
    }
}
