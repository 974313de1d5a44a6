using Xunit.Abstractions;

namespace LongMemory.Kernel.Tests.Architecture;

/// <summary>
/// The core's capability folders form layers: each folder uses only folders below it, the engine's parts never reach
/// back into the facade (<c>ChatMemory</c>, <c>ScopedMemory</c>), and a type lives in one folder (a partial class split
/// across folders would hide an edge). The graph is printed so ARCHITECTURE.md can be checked against it.
/// </summary>
public class FolderDependencyTests(ITestOutputHelper output)
{
    /// <summary>The folders allowed to use the facade: the facade itself and what is built on it.</summary>
    private static readonly string[] FacadeUsers = ["Memory", "ChatCompletion", "DependencyInjection"];

    /// <summary>
    /// Types split across folders on purpose: <c>Throw</c>'s general guards (Diagnostics/Throw.cs) are compiled into other
    /// packages that know no owner type, so its owner guard lives beside <c>MemoryOwner</c> (Sessions/Throw.Owner.cs). Uses
    /// of its members count for the folder that declares the member, so the split hides no edge.
    /// </summary>
    private static readonly string[] SplitByDesign = ["Throw"];

    private static readonly Lazy<FolderGraph> Kernel = new(() => FolderGraph.FromDirectory(Path.Combine(FolderGraph.FindRepositoryRoot(), "src", "LongMemory.Kernel")));

    [Fact]
    public void KernelFolders_UseEachOther_WithoutACycle()
    {
        var graph = Kernel.Value;
        output.WriteLine(graph.Describe());
        output.WriteLine(graph.DescribeEvidence());

        // The analysis sees the uses it must see (otherwise an empty graph would pass).
        Assert.True(graph.Uses("Context", "Recall"), "Context assembly recalls: the graph should show Context -> Recall.\n" + graph.Describe());
        Assert.True(graph.Uses("Storage/Sqlite", "Sessions"), "The SQLite stores implement the session SPI.\n" + graph.Describe());

        var cycle = graph.FindCycle();
        Assert.True(cycle is null, cycle is null ? null : "Folder cycle: " + graph.DescribeCycle(cycle));
    }

    [Fact]
    public void KernelTypes_AreEachDeclaredInOneFolder()
    {
        var split = Kernel.Value.TypeFolders.Where(t => t.Value.Count > 1 && !SplitByDesign.Contains(t.Key)).Select(t => t.Key + " in " + string.Join(", ", t.Value)).ToList();

        Assert.True(split.Count == 0, "Types split across folders: " + string.Join("; ", split));
    }

    [Fact]
    public void KernelParts_DoNotUseTheFacade()
    {
        var graph = Kernel.Value;
        var offenders = graph.Edges
            .Where(e => !FacadeUsers.Contains(e.Key) && e.Value.TryGetValue("Memory", out _))
            .SelectMany(e => e.Value["Memory"].Where(use => use.EndsWith(": ChatMemory", StringComparison.Ordinal) || use.EndsWith(": ScopedMemory", StringComparison.Ordinal)))
            .ToList();

        Assert.True(offenders.Count == 0, "Parts that use ChatMemory or ScopedMemory: " + string.Join(", ", offenders));
    }

    [Fact]
    public void FindCycle_TwoFoldersUsingEachOther_NamesTheCycleAndTheUses()
    {
        var graph = FolderGraph.FromSources(
        [
            ("A/Alpha.cs", "namespace N; internal sealed class Alpha { public Beta? Next { get; set; } }"),
            ("B/Beta.cs", "namespace N; internal sealed class Beta { public int Count(Alpha a) => a.GetHashCode(); }"),
            ("C/Gamma.cs", "namespace N; internal static class Gamma { public static Alpha Make() => new(); }"),
        ]);

        var cycle = graph.FindCycle();

        Assert.NotNull(cycle);
        Assert.Equal(["A", "B", "A"], cycle);
        var description = graph.DescribeCycle(cycle);
        Assert.Contains("A/Alpha.cs: Beta", description, StringComparison.Ordinal);
        Assert.Contains("B/Beta.cs: Alpha", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Uses_MemberOfAPartialTypeSplitAcrossFolders_CountsForTheMembersFolder()
    {
        var graph = FolderGraph.FromSources(
        [
            ("A/Guard.cs", "namespace N; internal static partial class Guard { public static int Plain(int x) => x; }"),
            ("B/Guard.Owner.cs", "namespace N; internal static partial class Guard { public static Owner Owned(Owner o) => o; }\ninternal sealed class Owner { }"),
            ("C/UsesPlain.cs", "namespace N; internal static class UsesPlain { public static int Run() => Guard.Plain(1); }"),
            ("D/UsesOwned.cs", "namespace N; internal static class UsesOwned { public static Owner Run(Owner o) => Guard.Owned(o); }"),
        ]);

        Assert.True(graph.Uses("C", "A"));
        Assert.False(graph.Uses("C", "B"));
        Assert.True(graph.Uses("D", "B"));
        Assert.Equal(["A", "B"], graph.TypeFolders["Guard"]);
    }

    [Fact]
    public void FindCycle_UsesOnlyInDocumentationComments_AreNotUses()
    {
        var graph = FolderGraph.FromSources(
        [
            ("A/Alpha.cs", "namespace N; /// <summary>See <see cref=\"Beta\"/>.</summary>\ninternal sealed class Alpha { }"),
            ("B/Beta.cs", "namespace N; internal sealed class Beta { public Alpha? Owner { get; set; } }"),
        ]);

        Assert.Null(graph.FindCycle());
        Assert.True(graph.Uses("B", "A"));
        Assert.False(graph.Uses("A", "B"));
    }
}
