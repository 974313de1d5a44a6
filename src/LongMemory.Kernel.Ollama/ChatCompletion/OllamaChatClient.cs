using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel.Ollama;

/// <summary>An <see cref="IChatClient"/> over Ollama's native <c>/api/chat</c>: text, images, tool calls, streaming (NDJSON).</summary>
/// <remarks>
/// <para>
/// Mapping of <see cref="ChatOptions"/>: <c>Temperature</c>, <c>TopP</c>, <c>TopK</c>, <c>Seed</c>, <c>StopSequences</c>,
/// <c>FrequencyPenalty</c> and <c>PresencePenalty</c> go into <c>options</c> under Ollama's names; <c>MaxOutputTokens</c> becomes
/// <c>num_predict</c>; <c>AdditionalProperties["num_ctx"]</c> (or <see cref="OllamaClientOptions.ContextLength"/>) becomes
/// <c>num_ctx</c>; other Ollama option names found in <c>AdditionalProperties</c> (for example <c>min_p</c>,
/// <c>repeat_penalty</c>, <c>num_gpu</c>) are passed through, as are <c>keep_alive</c> and <c>think</c>.
/// <c>ResponseFormat</c> JSON becomes <c>format: "json"</c>, or the schema object when one is given.
/// <c>Instructions</c> becomes a leading system message.
/// </para>
/// <para>
/// Tool calls: Ollama sends arguments as a JSON object and, since v0.12.10, an id. When a server sends no id, a stable id
/// (<c>call_&lt;response&gt;_&lt;n&gt;</c>) is generated so the result can be matched to its call. Results go back as
/// <c>{"role": "tool", "tool_name": ..., "tool_call_id": ..., "content": ...}</c>.
/// </para>
/// <para>
/// Usage: <c>prompt_eval_count</c> becomes <see cref="UsageDetails.InputTokenCount"/> and <c>eval_count</c> becomes
/// <see cref="UsageDetails.OutputTokenCount"/>. Ollama omits <c>prompt_eval_count</c> when the prompt came entirely from its
/// cache, so the input count is then <see langword="null"/> rather than a misleading 0.
/// </para>
/// </remarks>
public sealed class OllamaChatClient : IChatClient
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key for the context window to request (<c>num_ctx</c>).</summary>
    public const string NumCtxPropertyName = "num_ctx";

    private const string ChatPath = "api/chat";

    /// <summary>Ollama option names passed through from <see cref="ChatOptions.AdditionalProperties"/> (besides those ChatOptions maps itself).</summary>
    private static readonly HashSet<string> PassThroughOptions = new(StringComparer.Ordinal)
    {
        "num_keep", "min_p", "typical_p", "repeat_last_n", "repeat_penalty", "num_batch", "num_gpu", "main_gpu", "use_mmap", "num_thread",
    };

    private readonly OllamaTransport _transport;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Initializes a new instance of the <see cref="OllamaChatClient"/> class.</summary>
    /// <param name="options">Endpoint, model and timeouts; copied and validated here.</param>
    /// <param name="httpClient">
    /// The client to send with; its own <see cref="HttpClient.Timeout"/> applies. When <see langword="null"/>, a client with
    /// <see cref="OllamaClientOptions.Timeout"/> is created and disposed with this instance.
    /// </param>
    /// <param name="loggerFactory">Optional logging (counts and timings; message content only at Trace).</param>
    public OllamaChatClient(OllamaClientOptions options, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null)
    {
        options = Prepare(options);
        var owned = httpClient is null ? OllamaTransport.CreateOwnedClient(options) : null;
        var client = httpClient ?? owned!;
        _transport = new OllamaTransport(() => client, options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OllamaChatClient>(), owned);
        _metadata = new ChatClientMetadata("ollama", _transport.Endpoint, options.ChatModel);
    }

    /// <summary>Initializes a new instance of the <see cref="OllamaChatClient"/> class for a server and model.</summary>
    /// <param name="endpoint">The server, for example <c>http://localhost:11434</c>.</param>
    /// <param name="modelId">The chat model, for example <c>llama3.2</c>; may be left out when every call sets <see cref="ChatOptions.ModelId"/>.</param>
    public OllamaChatClient(Uri endpoint, string? modelId = null)
        : this(new OllamaClientOptions { Endpoint = Throw.IfNull(endpoint), ChatModel = modelId })
    {
    }

    internal OllamaChatClient(Func<HttpClient> httpClient, OllamaClientOptions options, ILoggerFactory? loggerFactory)
    {
        options = Prepare(options);
        _transport = new OllamaTransport(httpClient, options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OllamaChatClient>());
        _metadata = new ChatClientMetadata("ollama", _transport.Endpoint, options.ChatModel);
    }

    /// <summary>Gets the server's base URL.</summary>
    public Uri Endpoint => _transport.Endpoint;

    /// <summary>Gets the default chat model, or <see langword="null"/> when every call must name one.</summary>
    public string? ModelId => _transport.Options.ChatModel;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messages);
        var request = BuildRequest(messages, options, stream: false);
        var answer = await _transport.PostAsync(ChatPath, request, OllamaJsonContext.Default.OllamaChatRequest, OllamaJsonContext.Default.OllamaChatResponse, request.Model, cancellationToken).ConfigureAwait(false);

        var responseId = NewResponseId();
        var ordinal = 0;
        var contents = ToContents(answer.Message, responseId, ref ordinal);
        var finishReason = ToFinishReason(answer.DoneReason, ordinal > 0);
        var usage = ToUsage(answer);
        Log.ChatCompleted(_transport.Logger, request.Model, finishReason?.Value, usage?.InputTokenCount is long i ? (int)i : null, usage?.OutputTokenCount is long o ? (int)o : null, ordinal);
        if (_transport.Logger.IsEnabled(LogLevel.Trace))
        {
            Log.Content(_transport.Logger, "assistant", answer.Message?.Content ?? string.Empty);
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = responseId, RawRepresentation = answer.Message })
        {
            ResponseId = responseId,
            ModelId = answer.Model ?? request.Model,
            CreatedAt = ParseCreatedAt(answer.CreatedAt),
            FinishReason = finishReason,
            Usage = usage,
            RawRepresentation = answer,
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messages);
        var request = BuildRequest(messages, options, stream: true);
        var url = _transport.Resolve(ChatPath);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, OllamaJsonContext.Default.OllamaChatRequest);
        using var response = await _transport.SendAsync(HttpMethod.Post, ChatPath, body, HttpCompletionOption.ResponseHeadersRead, request.Model, cancellationToken).ConfigureAwait(false);
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);

        var responseId = NewResponseId();
        var ordinal = 0;
        var done = false;
        while (!done)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw new OllamaException($"The connection to the Ollama server at {url} broke in the middle of a streamed answer: {ex.Message}", null, null, url, ex);
            }

            if (line is null)
            {
                throw new OllamaException($"The Ollama server at {url} ended the stream before its final chunk (done: true). The model may have crashed; see the server log.", null, null, url);
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            // Mid-stream errors keep HTTP 200 and arrive as an {"error": ...} line; Parse throws for them.
            var chunk = OllamaTransport.Parse(line, url, OllamaJsonContext.Default.OllamaChatResponse);
            var contents = ToContents(chunk.Message, responseId, ref ordinal);
            var update = new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = chunk.Model ?? request.Model,
                CreatedAt = ParseCreatedAt(chunk.CreatedAt),
                RawRepresentation = chunk,
            };

            if (chunk.Done)
            {
                done = true;
                update.FinishReason = ToFinishReason(chunk.DoneReason, ordinal > 0);
                var usage = ToUsage(chunk);
                if (usage is not null)
                {
                    update.Contents.Add(new UsageContent(usage));
                }

                Log.ChatCompleted(_transport.Logger, request.Model, update.FinishReason?.Value, chunk.PromptEvalCount, chunk.EvalCount, ordinal);
            }

            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        Throw.IfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose() => _transport.Dispose();

    private static OllamaClientOptions Prepare(OllamaClientOptions options)
    {
        var copy = Throw.IfNull(options).Clone();
        copy.Validate();
        return copy;
    }

    private static string NewResponseId() => "ollama-" + Guid.NewGuid().ToString("N");

    private OllamaChatRequest BuildRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var model = options?.ModelId ?? _transport.Options.ChatModel
            ?? throw new InvalidOperationException("No Ollama chat model was named: set ChatOptions.ModelId or OllamaClientOptions.ChatModel (for example \"llama3.2\").");

        var request = new OllamaChatRequest { Model = model, Stream = stream, KeepAlive = _transport.KeepAlive() };
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            request.Messages.Add(new OllamaChatMessage { Role = "system", Content = options.Instructions });
        }

        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            AddMessage(request.Messages, message, toolNames);
        }

        if (options is not null)
        {
            ApplyOptions(request, options);
        }

        if (request.Options is null && _transport.Options.ContextLength is int defaultNumCtx)
        {
            request.Options = new OllamaRequestOptions { NumCtx = defaultNumCtx };
        }
        else if (request.Options is { NumCtx: null } && _transport.Options.ContextLength is int numCtx)
        {
            request.Options.NumCtx = numCtx;
        }

        Log.ChatRequest(_transport.Logger, model, request.Messages.Count, request.Tools?.Count ?? 0, stream);
        return request;
    }

    private static void AddMessage(List<OllamaChatMessage> target, ChatMessage message, Dictionary<string, string> toolNames)
    {
        var role = message.Role.Value.ToLowerInvariant();
        var wire = new OllamaChatMessage { Role = role };
        StringBuilder? text = null;
        StringBuilder? thinking = null;
        List<OllamaChatMessage>? results = null;

        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    (text ??= new StringBuilder()).Append(t.Text);
                    break;
                case TextReasoningContent r:
                    (thinking ??= new StringBuilder()).Append(r.Text);
                    break;
                case DataContent d when d.HasTopLevelMediaType("image"):
                    (wire.Images ??= []).Add(d.Base64Data.ToString());
                    break;
                case FunctionCallContent call:
                    toolNames[call.CallId] = call.Name;
                    (wire.ToolCalls ??= []).Add(new OllamaToolCall
                    {
                        Id = call.CallId,
                        Function = new OllamaToolCallFunction { Index = wire.ToolCalls.Count, Name = call.Name, Arguments = ArgumentsToJson(call.Arguments) },
                    });
                    break;
                case FunctionResultContent result:
                    (results ??= []).Add(new OllamaChatMessage
                    {
                        Role = "tool",
                        Content = ResultToText(result),
                        ToolName = toolNames.TryGetValue(result.CallId, out var name) ? name : null,
                        ToolCallId = result.CallId,
                    });
                    break;
                default:
                    // Other content (usage, non-image data, hosted files) has no place in Ollama's message shape.
                    break;
            }
        }

        wire.Content = text?.ToString() ?? string.Empty;
        wire.Thinking = thinking?.ToString();
        var hasOwnContent = text is not null || thinking is not null || wire.Images is not null || wire.ToolCalls is not null;
        if (hasOwnContent || results is null)
        {
            target.Add(wire);
        }

        if (results is not null)
        {
            target.AddRange(results);
        }
    }

    private static void ApplyOptions(OllamaChatRequest request, ChatOptions options)
    {
        var o = new OllamaRequestOptions
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            NumPredict = options.MaxOutputTokens,
            Seed = options.Seed,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
            Stop = options.StopSequences is { Count: > 0 } stop ? [.. stop] : null,
        };

        if (options.AdditionalProperties is { } extra)
        {
            if (extra.TryGetValue(NumCtxPropertyName, out int numCtx))
            {
                o.NumCtx = numCtx;
            }

            foreach (var pair in extra)
            {
                if (PassThroughOptions.Contains(pair.Key) && pair.Value is not null)
                {
                    (o.Extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[pair.Key] = ToJson(pair.Value);
                }
            }

            if (extra.TryGetValue("keep_alive", out object? keepAlive) && keepAlive is not null)
            {
                request.KeepAlive = ToJson(keepAlive);
            }

            if (extra.TryGetValue("think", out object? think) && think is not null)
            {
                request.Think = ToJson(think);
            }
        }

        request.Options = o.IsEmpty ? null : o;

        if (options.ResponseFormat is ChatResponseFormatJson json)
        {
            request.Format = json.Schema is JsonElement schema
                ? schema
                : JsonSerializer.SerializeToElement("json", OllamaJsonContext.Default.String);
        }

        if (options.Tools is { Count: > 0 } tools && options.ToolMode is not NoneChatToolMode)
        {
            foreach (var declaration in tools.OfType<AIFunctionDeclaration>())
            {
                (request.Tools ??= []).Add(new OllamaTool
                {
                    Function = new OllamaToolFunction
                    {
                        Name = declaration.Name,
                        Description = string.IsNullOrEmpty(declaration.Description) ? null : declaration.Description,
                        Parameters = declaration.JsonSchema.ValueKind == JsonValueKind.Object ? declaration.JsonSchema : EmptyParameters,
                    },
                });
            }
        }
    }

    private static readonly JsonElement EmptyParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    private static JsonElement ToJson(object value) =>
        value is JsonElement element ? element : JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));

    private static JsonElement ArgumentsToJson(IDictionary<string, object?>? arguments) =>
        arguments is null
            ? JsonDocument.Parse("{}").RootElement.Clone()
            : JsonSerializer.SerializeToElement(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    private static string ResultToText(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception is { } ex ? "Error: " + ex.Message : string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        JsonElement e => e.GetRawText(),
        var other => JsonSerializer.Serialize(other, AIJsonUtilities.DefaultOptions.GetTypeInfo(other.GetType())),
    };

    private static List<AIContent> ToContents(OllamaChatMessage? message, string responseId, ref int ordinal)
    {
        var contents = new List<AIContent>();
        if (message is null)
        {
            return contents;
        }

        if (!string.IsNullOrEmpty(message.Thinking))
        {
            contents.Add(new TextReasoningContent(message.Thinking));
        }

        if (!string.IsNullOrEmpty(message.Content))
        {
            contents.Add(new TextContent(message.Content));
        }

        foreach (var call in message.ToolCalls ?? [])
        {
            var name = call.Function?.Name;
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            // Servers before v0.12.10 send no id: generate one that stays the same for this call.
            var id = string.IsNullOrEmpty(call.Id) ? $"call_{responseId.AsSpan(7, 8)}_{ordinal.ToString(CultureInfo.InvariantCulture)}" : call.Id;
            contents.Add(new FunctionCallContent(id, name, ArgumentsFromJson(call.Function!.Arguments)) { RawRepresentation = call });
            ordinal++;
        }

        return contents;
    }

    private static Dictionary<string, object?> ArgumentsFromJson(JsonElement? arguments)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (arguments is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var property in obj.EnumerateObject())
            {
                result[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.Clone();
            }
        }

        return result;
    }

    private static ChatFinishReason? ToFinishReason(string? doneReason, bool hasToolCalls) => doneReason switch
    {
        null or "" => hasToolCalls ? ChatFinishReason.ToolCalls : null,
        "stop" => hasToolCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        var other => new ChatFinishReason(other),
    };

    private static UsageDetails? ToUsage(OllamaChatResponse answer)
    {
        if (answer.PromptEvalCount is null && answer.EvalCount is null)
        {
            return null;
        }

        var usage = new UsageDetails
        {
            InputTokenCount = answer.PromptEvalCount,
            OutputTokenCount = answer.EvalCount,
            TotalTokenCount = (answer.PromptEvalCount ?? 0) + (answer.EvalCount ?? 0),
        };

        AddDuration(usage, "total_duration_ns", answer.TotalDuration);
        AddDuration(usage, "load_duration_ns", answer.LoadDuration);
        AddDuration(usage, "prompt_eval_duration_ns", answer.PromptEvalDuration);
        AddDuration(usage, "eval_duration_ns", answer.EvalDuration);
        return usage;
    }

    private static void AddDuration(UsageDetails usage, string key, long? nanoseconds)
    {
        if (nanoseconds is long value)
        {
            (usage.AdditionalCounts ??= [])[key] = value;
        }
    }

    private static DateTimeOffset? ParseCreatedAt(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
}
