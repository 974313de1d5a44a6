using System.Text.Json;
using System.Text.Json.Serialization;

namespace LongMemory.Kernel.Ollama;

// Wire shapes of Ollama's native API (see docs/OLLAMA-HTTP.md). Field names are the server's; every optional field is
// omitted when null so the server applies its own defaults.

internal sealed class OllamaChatRequest
{
    [JsonPropertyName("model")] public string Model { get; set; } = string.Empty;
    [JsonPropertyName("messages")] public List<OllamaChatMessage> Messages { get; set; } = [];
    [JsonPropertyName("tools")] public List<OllamaTool>? Tools { get; set; }
    [JsonPropertyName("stream")] public bool Stream { get; set; }
    [JsonPropertyName("format")] public JsonElement? Format { get; set; }
    [JsonPropertyName("options")] public OllamaRequestOptions? Options { get; set; }
    [JsonPropertyName("keep_alive")] public JsonElement? KeepAlive { get; set; }
    [JsonPropertyName("think")] public JsonElement? Think { get; set; }
}

internal sealed class OllamaRequestOptions
{
    [JsonPropertyName("num_ctx")] public int? NumCtx { get; set; }
    [JsonPropertyName("temperature")] public float? Temperature { get; set; }
    [JsonPropertyName("top_p")] public float? TopP { get; set; }
    [JsonPropertyName("top_k")] public int? TopK { get; set; }
    [JsonPropertyName("num_predict")] public int? NumPredict { get; set; }
    [JsonPropertyName("seed")] public long? Seed { get; set; }
    [JsonPropertyName("stop")] public List<string>? Stop { get; set; }
    [JsonPropertyName("frequency_penalty")] public float? FrequencyPenalty { get; set; }
    [JsonPropertyName("presence_penalty")] public float? PresencePenalty { get; set; }

    /// <summary>Other runner and predict options passed through from <c>ChatOptions.AdditionalProperties</c>.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    [JsonIgnore]
    public bool IsEmpty => NumCtx is null && Temperature is null && TopP is null && TopK is null && NumPredict is null && Seed is null &&
                           Stop is null && FrequencyPenalty is null && PresencePenalty is null && (Extra is null || Extra.Count == 0);
}

internal sealed class OllamaChatMessage
{
    [JsonPropertyName("role")] public string Role { get; set; } = string.Empty;
    [JsonPropertyName("content")] public string? Content { get; set; }
    [JsonPropertyName("thinking")] public string? Thinking { get; set; }
    [JsonPropertyName("images")] public List<string>? Images { get; set; }
    [JsonPropertyName("tool_calls")] public List<OllamaToolCall>? ToolCalls { get; set; }
    [JsonPropertyName("tool_name")] public string? ToolName { get; set; }
    [JsonPropertyName("tool_call_id")] public string? ToolCallId { get; set; }
}

internal sealed class OllamaToolCall
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("function")] public OllamaToolCallFunction? Function { get; set; }
}

internal sealed class OllamaToolCallFunction
{
    [JsonPropertyName("index")] public int? Index { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("arguments")] public JsonElement? Arguments { get; set; }
}

internal sealed class OllamaTool
{
    [JsonPropertyName("type")] public string Type { get; set; } = "function";
    [JsonPropertyName("function")] public OllamaToolFunction Function { get; set; } = new();
}

internal sealed class OllamaToolFunction
{
    [JsonPropertyName("name")] public string Name { get; set; } = string.Empty;
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("parameters")] public JsonElement Parameters { get; set; }
}

internal sealed class OllamaChatResponse
{
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; set; }
    [JsonPropertyName("message")] public OllamaChatMessage? Message { get; set; }
    [JsonPropertyName("done")] public bool Done { get; set; }
    [JsonPropertyName("done_reason")] public string? DoneReason { get; set; }
    [JsonPropertyName("total_duration")] public long? TotalDuration { get; set; }
    [JsonPropertyName("load_duration")] public long? LoadDuration { get; set; }
    [JsonPropertyName("prompt_eval_count")] public int? PromptEvalCount { get; set; }
    [JsonPropertyName("prompt_eval_duration")] public long? PromptEvalDuration { get; set; }
    [JsonPropertyName("eval_count")] public int? EvalCount { get; set; }
    [JsonPropertyName("eval_duration")] public long? EvalDuration { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}

internal sealed class OllamaEmbedRequest
{
    [JsonPropertyName("model")] public string Model { get; set; } = string.Empty;
    [JsonPropertyName("input")] public List<string> Input { get; set; } = [];
    [JsonPropertyName("truncate")] public bool? Truncate { get; set; }
    [JsonPropertyName("dimensions")] public int? Dimensions { get; set; }
    [JsonPropertyName("keep_alive")] public JsonElement? KeepAlive { get; set; }
}

internal sealed class OllamaEmbedResponse
{
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("embeddings")] public List<float[]>? Embeddings { get; set; }
    [JsonPropertyName("total_duration")] public long? TotalDuration { get; set; }
    [JsonPropertyName("load_duration")] public long? LoadDuration { get; set; }
    [JsonPropertyName("prompt_eval_count")] public int? PromptEvalCount { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}

internal sealed class OllamaShowRequest
{
    [JsonPropertyName("model")] public string Model { get; set; } = string.Empty;
}

internal sealed class OllamaShowResponse
{
    [JsonPropertyName("parameters")] public string? Parameters { get; set; }
    [JsonPropertyName("modelfile")] public string? Modelfile { get; set; }
    [JsonPropertyName("details")] public OllamaModelDetails? Details { get; set; }
    [JsonPropertyName("model_info")] public Dictionary<string, JsonElement>? ModelInfo { get; set; }
    [JsonPropertyName("capabilities")] public List<string>? Capabilities { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}

internal sealed class OllamaModelDetails
{
    [JsonPropertyName("format")] public string? Format { get; set; }
    [JsonPropertyName("family")] public string? Family { get; set; }
    [JsonPropertyName("parameter_size")] public string? ParameterSize { get; set; }
    [JsonPropertyName("quantization_level")] public string? QuantizationLevel { get; set; }
    [JsonPropertyName("context_length")] public int? ContextLength { get; set; }
    [JsonPropertyName("embedding_length")] public int? EmbeddingLength { get; set; }
}

internal sealed class OllamaVersionResponse
{
    [JsonPropertyName("version")] public string? Version { get; set; }
}

internal sealed class OllamaTagsResponse
{
    [JsonPropertyName("models")] public List<OllamaTagsModel>? Models { get; set; }
}

internal sealed class OllamaTagsModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("model")] public string? Model { get; set; }
}

internal sealed class OllamaErrorResponse
{
    [JsonPropertyName("error")] public string? Error { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatResponse))]
[JsonSerializable(typeof(OllamaEmbedRequest))]
[JsonSerializable(typeof(OllamaEmbedResponse))]
[JsonSerializable(typeof(OllamaShowRequest))]
[JsonSerializable(typeof(OllamaShowResponse))]
[JsonSerializable(typeof(OllamaVersionResponse))]
[JsonSerializable(typeof(OllamaTagsResponse))]
[JsonSerializable(typeof(OllamaErrorResponse))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
