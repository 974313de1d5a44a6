using System.Globalization;
using System.Text.Json;
using OllamaSharp;
using OllamaSharp.Models;

namespace LongMemory.Kernel.Ollama;

/// <summary>Reads a model's context window from Ollama's <c>/api/show</c>, to default a token budget to it.</summary>
public static class OllamaContextWindow
{
    /// <summary>Asks the server for a model's context window (<c>POST /api/show</c>).</summary>
    /// <param name="client">OllamaSharp's client (or any <see cref="IOllamaApiClient"/>).</param>
    /// <param name="model">The model, for example <c>llama3.2</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>See <see cref="FromShowModelResponse"/>; <see langword="null"/> when the server reports no window.</returns>
    /// <remarks>
    /// The window read here is what the model can take, not what the server will use: send the budget you derive from it
    /// as <c>num_ctx</c> (<see cref="OllamaContextWindowChatClient"/>), or the server's smaller default applies.
    /// </remarks>
    /// <exception cref="OllamaSharp.Models.Exceptions.OllamaException">The model is not pulled, or the server refused.</exception>
    public static async Task<int?> GetContextLengthAsync(this IOllamaApiClient client, string model, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(client);
        Throw.IfNullOrWhitespace(model);
        var response = await client.ShowModelAsync(new ShowModelRequest { Model = model }, cancellationToken).ConfigureAwait(false);
        return FromShowModelResponse(response);
    }

    /// <summary>Gets the context window from an <c>/api/show</c> answer.</summary>
    /// <param name="response">The answer.</param>
    /// <returns>
    /// The model's <c>num_ctx</c> parameter (from <c>parameters</c>, else a <c>PARAMETER num_ctx</c> line of the Modelfile),
    /// capped by the trained maximum as the server caps it; otherwise the trained maximum
    /// (<c>model_info["&lt;architecture&gt;.context_length"]</c>); <see langword="null"/> when neither is reported.
    /// </returns>
    public static int? FromShowModelResponse(ShowModelResponse response)
    {
        Throw.IfNull(response);
        var trained = TrainedContextLength(response.Info);
        var numCtx = ReadNumCtx(response.Parameters, isModelfile: false) ?? ReadNumCtx(response.Modelfile, isModelfile: true);
        return numCtx is int n ? (trained is int t ? Math.Min(n, t) : n) : trained;
    }

    private static int? TrainedContextLength(ModelInfo? info)
    {
        if (info?.ExtraInfo is not { } extra)
        {
            return null;
        }

        // The architecture key is known to OllamaSharp; the "<arch>.context_length" keys land in its extension data.
        var architecture = info.Architecture;
        if (string.IsNullOrEmpty(architecture) && extra.TryGetValue("general.architecture", out var raw))
        {
            architecture = raw is JsonElement { ValueKind: JsonValueKind.String } e ? e.GetString() : raw?.ToString();
        }

        if (string.IsNullOrEmpty(architecture) || !extra.TryGetValue(architecture + ".context_length", out var value))
        {
            return null;
        }

        return value switch
        {
            JsonElement { ValueKind: JsonValueKind.Number } number => number.TryGetInt64(out var l) ? (int)Math.Clamp(l, 1, int.MaxValue) : null,
            int i => i,
            long l => (int)Math.Clamp(l, 1, int.MaxValue),
            _ => null,
        };
    }

    /// <summary>Finds <c>num_ctx</c> in the parameters text (<c>num_ctx 8192</c> lines) or a Modelfile (<c>PARAMETER num_ctx 8192</c>).</summary>
    private static int? ReadNumCtx(string? text, bool isModelfile)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var offset = isModelfile ? 1 : 0;
            if (parts.Length < offset + 2 || (isModelfile && !parts[0].Equals("PARAMETER", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (parts[offset] == "num_ctx" && int.TryParse(parts[offset + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var numCtx) && numCtx > 0)
            {
                return numCtx;
            }
        }

        return null;
    }
}
