namespace LongMemory.Kernel.Ollama;

/// <summary>What <c>/api/show</c> says about a model: architecture, context window, embedding size and capabilities.</summary>
public sealed class OllamaModelInfo
{
    /// <summary>Gets the model name that was asked about.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the architecture (<c>model_info["general.architecture"]</c>, for example <c>llama</c>), if reported.</summary>
    public string? Architecture { get; init; }

    /// <summary>Gets the trained maximum context (<c>model_info["&lt;arch&gt;.context_length"]</c>), if reported.</summary>
    public int? TrainedContextLength { get; init; }

    /// <summary>Gets the model's default runtime context (<c>PARAMETER num_ctx</c> in its Modelfile), if it sets one.</summary>
    public int? DefaultNumCtx { get; init; }

    /// <summary>Gets the embedding size (<c>model_info["&lt;arch&gt;.embedding_length"]</c>), if reported.</summary>
    public int? EmbeddingLength { get; init; }

    /// <summary>Gets the model family (<c>details.family</c>), if reported.</summary>
    public string? Family { get; init; }

    /// <summary>Gets the parameter size (<c>details.parameter_size</c>, for example <c>3.2B</c>), if reported.</summary>
    public string? ParameterSize { get; init; }

    /// <summary>Gets the quantization (<c>details.quantization_level</c>, for example <c>Q4_K_M</c>), if reported.</summary>
    public string? QuantizationLevel { get; init; }

    /// <summary>Gets the capabilities (<c>completion</c>, <c>tools</c>, <c>vision</c>, <c>embedding</c>, <c>thinking</c>, ...); empty on servers that do not report them.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>
    /// Gets the context window a prompt can use: the model's <c>num_ctx</c> parameter when it sets one (capped by the trained
    /// maximum, as the server does), otherwise the trained maximum.
    /// </summary>
    public int? ContextLength => DefaultNumCtx is int numCtx
        ? (TrainedContextLength is int trained ? Math.Min(numCtx, trained) : numCtx)
        : TrainedContextLength;

    /// <summary>Gets a value indicating whether the model reports the named capability (for example <c>tools</c>).</summary>
    /// <param name="capability">The capability name.</param>
    /// <returns><see langword="true"/> when the server lists it.</returns>
    public bool HasCapability(string capability) => Capabilities.Contains(capability, StringComparer.OrdinalIgnoreCase);
}
