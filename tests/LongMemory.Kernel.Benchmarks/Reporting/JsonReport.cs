using System.Text.Json;
using System.Text.Json.Nodes;

namespace LongMemory.Kernel.Benchmarks.Reporting;

/// <summary>Writes a result document as indented JSON, creating the folder if needed.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(string path, JsonNode document)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, document.ToJsonString(Indented) + Environment.NewLine);
    }
}
