using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LongMemory.Kernel.Tests.Architecture;

/// <summary>
/// Which folder of a C# code base uses which other folder's types, found by binding the sources with Roslyn (a use is
/// any name in code that binds to a type, or to a member of a type, declared in another folder; documentation comments
/// do not count).
/// </summary>
internal sealed class FolderGraph
{
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private FolderGraph(SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> edges, Dictionary<string, SortedSet<string>> typeFolders, IReadOnlyCollection<string> folders)
    {
        Edges = edges;
        TypeFolders = typeFolders;
        Folders = folders;
    }

    /// <summary>Gets the folders with at least one source file.</summary>
    public IReadOnlyCollection<string> Folders { get; }

    /// <summary>Gets, per folder, the folders it uses, each with the evidence ("file: Type").</summary>
    public SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> Edges { get; }

    /// <summary>Gets, per top-level type declared in the sources, the folders that declare (part of) it.</summary>
    public Dictionary<string, SortedSet<string>> TypeFolders { get; }

    /// <summary>Finds the directory holding <c>src/LongMemory.Kernel</c>, walking up from the test assembly.</summary>
    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "src", "LongMemory.Kernel", "LongMemory.Kernel.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("src/LongMemory.Kernel was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Reads every .cs file under <paramref name="projectDirectory"/> (bin and obj excluded) and builds the graph.</summary>
    public static FolderGraph FromDirectory(string projectDirectory)
    {
        var files = Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(projectDirectory, path).Replace('\\', '/'))
            .Where(relative => !relative.StartsWith("bin/", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal))
            .OrderBy(relative => relative, StringComparer.Ordinal)
            .Select(relative => (relative, File.ReadAllText(Path.Combine(projectDirectory, relative))))
            .ToList();
        return FromSources(files);
    }

    /// <summary>Builds the graph of in-memory sources (path relative to the project, text).</summary>
    public static FolderGraph FromSources(IReadOnlyList<(string Path, string Text)> files)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Preview, preprocessorSymbols: ["NET", "NET10_0", "NET10_0_OR_GREATER", "NET9_0_OR_GREATER", "NET8_0_OR_GREATER"]);
        var folderOf = new Dictionary<SyntaxTree, string>();
        var trees = new List<SyntaxTree>();
        foreach (var (path, text) in files)
        {
            var tree = CSharpSyntaxTree.ParseText(text, parseOptions, path);
            trees.Add(tree);
            var slash = path.LastIndexOf('/');
            folderOf[tree] = slash < 0 ? "." : path[..slash];
        }

        var usings = CSharpSyntaxTree.ParseText(string.Concat(ImplicitUsings.Select(u => "global using global::" + u + ";\n")), parseOptions, "GlobalUsings.g.cs");
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("LongMemory.", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "FolderGraph",
            [.. trees, usings],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        var typeFolders = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var tree in trees)
        {
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>().Where(d => d.Parent is BaseNamespaceDeclarationSyntax or CompilationUnitSyntax))
            {
                Add(typeFolders, declaration.Identifier.ValueText, folderOf[tree]);
            }

            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<DelegateDeclarationSyntax>().Where(d => d.Parent is BaseNamespaceDeclarationSyntax or CompilationUnitSyntax))
            {
                Add(typeFolders, declaration.Identifier.ValueText, folderOf[tree]);
            }
        }

        var edges = new SortedDictionary<string, SortedDictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var tree in trees)
        {
            var from = folderOf[tree];
            var model = compilation.GetSemanticModel(tree);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(name);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                var type = TopLevelType(symbol);
                if (type is null)
                {
                    continue;
                }

                // In "Type.Member" the member decides (a partial type's member is used where it is declared).
                if (symbol is INamedTypeSymbol && name.Parent is MemberAccessExpressionSyntax access && access.Expression == name)
                {
                    continue;
                }

                // A member of a partial type is used where it is declared; the type itself wherever any part of it is.
                var member = symbol is IMethodSymbol { ReducedFrom: { } reduced } ? reduced : symbol;
                var declaring = member is not INamedTypeSymbol && member!.DeclaringSyntaxReferences.Any(r => folderOf.ContainsKey(r.SyntaxTree))
                    ? member.DeclaringSyntaxReferences
                    : type.DeclaringSyntaxReferences;
                foreach (var declared in declaring.Select(r => r.SyntaxTree).Where(folderOf.ContainsKey).Select(t => folderOf[t]).Distinct())
                {
                    if (declared == from)
                    {
                        continue;
                    }

                    if (!edges.TryGetValue(from, out var targets))
                    {
                        edges[from] = targets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
                    }

                    if (!targets.TryGetValue(declared, out var evidence))
                    {
                        targets[declared] = evidence = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    evidence.Add(tree.FilePath + ": " + type.Name);
                }
            }
        }

        return new FolderGraph(edges, typeFolders, folderOf.Values.Distinct().Order(StringComparer.Ordinal).ToList());

        static void Add(Dictionary<string, SortedSet<string>> map, string key, string value)
        {
            if (!map.TryGetValue(key, out var set))
            {
                map[key] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(value);
        }
    }

    /// <summary>Gets whether <paramref name="from"/> uses a type of <paramref name="to"/>.</summary>
    public bool Uses(string from, string to) => Edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

    /// <summary>Gets the folders <paramref name="folder"/> uses, by name.</summary>
    public IEnumerable<string> Uses(string folder) => Edges.TryGetValue(folder, out var targets) ? targets.Keys : Enumerable.Empty<string>();

    /// <summary>Finds one cycle (as the folders along it, the first repeated at the end), or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        foreach (var start in Edges.Keys)
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string folder)
        {
            if (state.TryGetValue(folder, out var s))
            {
                return s == 1 ? [.. path.Skip(path.IndexOf(folder)), folder] : null;
            }

            state[folder] = 1;
            path.Add(folder);
            foreach (var next in Uses(folder))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
            return null;
        }
    }

    /// <summary>Describes a cycle with one piece of evidence per edge.</summary>
    public string DescribeCycle(IReadOnlyList<string> cycle)
    {
        var text = new StringBuilder(string.Join(" -> ", cycle)).Append('\n');
        for (var i = 0; i + 1 < cycle.Count; i++)
        {
            var evidence = Edges[cycle[i]][cycle[i + 1]];
            text.Append("  ").Append(cycle[i]).Append(" -> ").Append(cycle[i + 1]).Append(": ").AppendJoin(", ", evidence.Take(5));
            if (evidence.Count > 5)
            {
                text.Append(", ... (").Append(evidence.Count).Append(" uses)");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Lists the folders in dependency order (a folder after everything it uses) with what each uses.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var folder in Layered())
        {
            text.Append(folder).Append(" -> ").AppendJoin(", ", Uses(folder)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Lists every edge with all its evidence.</summary>
    public string DescribeEvidence()
    {
        var text = new StringBuilder();
        foreach (var (from, targets) in Edges)
        {
            foreach (var (to, evidence) in targets)
            {
                text.Append(from).Append(" -> ").Append(to).Append(": ").AppendJoin(", ", evidence).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The folders, each after every folder it uses (ties by name); only meaningful without a cycle.</summary>
    public IReadOnlyList<string> Layered()
    {
        var order = new List<string>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (order.Count < Folders.Count)
        {
            var next = Folders.Where(f => !done.Contains(f) && (!Edges.TryGetValue(f, out var targets) || targets.Keys.All(done.Contains))).ToList();
            if (next.Count == 0)
            {
                order.AddRange(Folders.Where(f => !done.Contains(f))); // a cycle: the rest in name order
                break;
            }

            order.AddRange(next);
            done.UnionWith(next);
        }

        return order;
    }

    private static INamedTypeSymbol? TopLevelType(ISymbol? symbol)
    {
        var type = symbol switch
        {
            INamedTypeSymbol named => named,
            IMethodSymbol method => (method.ReducedFrom ?? method).ContainingType,
            IPropertySymbol or IFieldSymbol or IEventSymbol => symbol.ContainingType,
            _ => null,
        };
        while (type?.ContainingType is not null)
        {
            type = type.ContainingType;
        }

        return type?.OriginalDefinition;
    }
}
