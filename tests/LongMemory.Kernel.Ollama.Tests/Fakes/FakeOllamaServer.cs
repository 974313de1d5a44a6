using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LongMemory.Kernel.Ollama.Tests.Fakes;

/// <summary>One request the fake server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>One piece of a scripted assistant answer: a content delta, a thinking delta or a whole tool call.</summary>
public sealed record FakeChunk(string? Content = null, string? Thinking = null, string? ToolName = null, string? ToolArgumentsJson = null, string? ToolCallId = null);

/// <summary>
/// A protocol-faithful Ollama server on 127.0.0.1 (docs/OLLAMA-HTTP.md): /api/chat (NDJSON chunks written and flushed one by
/// one, or one JSON object), /api/embed, /api/show, /api/version, /api/tags, JSON errors with the server's status codes,
/// {"error"} lines mid-stream. It records every request so tests can assert what the client sent.
/// </summary>
public sealed class FakeOllamaServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _disposed;

    public FakeOllamaServer()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Endpoint = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Close();
            }
        }

        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>Gets the models this server has "pulled"; any other name gets Ollama's 404.</summary>
    public HashSet<string> Models { get; } = new(StringComparer.Ordinal) { "llama3.2", "all-minilm" };

    /// <summary>Gets or sets the assistant answer, as streamed chunks (non-streaming joins them).</summary>
    public List<FakeChunk> Reply { get; set; } = [new(Content: "Hello"), new(Content: " world")];

    /// <summary>Gets or sets a script that picks the answer from the /api/chat request body (for multi-round tool calls); <see cref="Reply"/> when null.</summary>
    public Func<JsonObject, List<FakeChunk>>? Respond { get; set; }

    public string DoneReason { get; set; } = "stop";

    public int? PromptEvalCount { get; set; } = 12;

    public int? EvalCount { get; set; } = 5;

    /// <summary>Gets or sets a failure every /api call answers with (status, error text).</summary>
    public (HttpStatusCode Status, string Error)? Failure { get; set; }

    /// <summary>Gets or sets the number of chunks after which a streamed answer turns into an {"error"} line.</summary>
    public (int AfterChunks, string Error)? MidStreamError { get; set; }

    /// <summary>Gets or sets the number of chunks after which the server stops and waits until disposed (0 = before any byte).</summary>
    public int? HoldAfterChunks { get; set; }

    /// <summary>Gets or sets a value indicating whether a stream ends without its done:true chunk (a crashed runner).</summary>
    public bool EndStreamEarly { get; set; }

    /// <summary>Gets a task that completes when the server starts holding an answer.</summary>
    public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Version { get; set; } = "0.12.10";

    public string Architecture { get; set; } = "llama";

    public int TrainedContextLength { get; set; } = 131072;

    public string Parameters { get; set; } = "stop                           \"<|eot_id|>\"";

    public string Modelfile { get; set; } = "FROM /models/blob\nTEMPLATE \"{{ .Prompt }}\"";

    public int EmbeddingLength { get; set; } = 8;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<RecordedRequest> RequestsTo(string path) => [.. _requests.Where(r => r.Path == path)];

    public RecordedRequest LastRequestTo(string path) => RequestsTo(path).Last();

    /// <summary>The vector this server returns for an input: deterministic, L2-normalised like Ollama's.</summary>
    public static float[] VectorFor(string input, int length)
    {
        var vector = new float[length];
        var hash = 17;
        foreach (var c in input)
        {
            hash = unchecked((hash * 31) + c);
        }

        for (var i = 0; i < length; i++)
        {
            hash = unchecked((hash * 1103515245) + 12345);
            vector[i] = ((hash >> 8) & 0xFFFF) / 65535f + 0.01f;
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return [.. vector.Select(v => v / norm)];
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _release.TrySetResult();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop this way.
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var path = context.Request.Url!.AbsolutePath;
            _requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, path, body));

            if (Failure is { } failure && path.StartsWith("/api/", StringComparison.Ordinal))
            {
                await WriteJsonAsync(context, failure.Status, new JsonObject { ["error"] = failure.Error }).ConfigureAwait(false);
                return;
            }

            switch (context.Request.HttpMethod, path)
            {
                case ("POST", "/api/chat"):
                    await ChatAsync(context, JsonNode.Parse(body)!.AsObject()).ConfigureAwait(false);
                    break;
                case ("POST", "/api/embed"):
                    await EmbedAsync(context, JsonNode.Parse(body)!.AsObject()).ConfigureAwait(false);
                    break;
                case ("POST", "/api/show"):
                    await ShowAsync(context, JsonNode.Parse(body)!.AsObject()).ConfigureAwait(false);
                    break;
                case ("GET", "/api/version"):
                    await HoldIfAskedAsync().ConfigureAwait(false);
                    await WriteJsonAsync(context, HttpStatusCode.OK, new JsonObject { ["version"] = Version }).ConfigureAwait(false);
                    break;
                case ("GET", "/api/tags"):
                    var models = new JsonArray([.. Models.Select(m => (JsonNode)new JsonObject { ["name"] = m + ":latest", ["model"] = m + ":latest", ["size"] = 1234 })]);
                    await WriteJsonAsync(context, HttpStatusCode.OK, new JsonObject { ["models"] = models }).ConfigureAwait(false);
                    break;
                default:
                    context.Response.StatusCode = 404;
                    context.Response.ContentType = "text/plain";
                    await WriteAndFlushAsync(context, "404 page not found").ConfigureAwait(false);
                    context.Response.Close();
                    break;
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away (cancellation, timeout): nothing left to answer.
        }
    }

    private async Task<bool> RejectUnknownModelAsync(HttpListenerContext context, JsonObject request)
    {
        var model = (string?)request["model"];
        if (model is null)
        {
            await WriteJsonAsync(context, HttpStatusCode.BadRequest, new JsonObject { ["error"] = "model is required" }).ConfigureAwait(false);
            return true;
        }

        // Like Ollama, a name without a tag means ":latest".
        if (!Models.Contains(model) && !(model.EndsWith(":latest", StringComparison.Ordinal) && Models.Contains(model[..^":latest".Length])))
        {
            await WriteJsonAsync(context, HttpStatusCode.NotFound, new JsonObject { ["error"] = $"model \"{model}\" not found, try pulling it first" }).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private async Task HoldIfAskedAsync()
    {
        if (HoldAfterChunks == 0)
        {
            Holding.TrySetResult();
            await _release.Task.ConfigureAwait(false);
        }
    }

    private async Task ChatAsync(HttpListenerContext context, JsonObject request)
    {
        if (await RejectUnknownModelAsync(context, request).ConfigureAwait(false))
        {
            return;
        }

        var model = (string)request["model"]!;
        var stream = request["stream"] is not JsonValue s || s.GetValue<bool>(); // omitted = true
        await HoldIfAskedAsync().ConfigureAwait(false);
        var reply = Respond?.Invoke(request) ?? Reply;

        if (!stream)
        {
            var message = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = string.Concat(reply.Select(c => c.Content)),
            };
            var thinking = string.Concat(reply.Select(c => c.Thinking));
            if (thinking.Length > 0)
            {
                message["thinking"] = thinking;
            }

            var calls = ToolCalls(reply);
            if (calls.Count > 0)
            {
                message["tool_calls"] = calls;
            }

            await WriteJsonAsync(context, HttpStatusCode.OK, Final(model, message)).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-ndjson";
        context.Response.SendChunked = true;
        for (var i = 0; i < reply.Count; i++)
        {
            if (MidStreamError is { } error && error.AfterChunks == i)
            {
                await WriteAndFlushAsync(context, new JsonObject { ["error"] = error.Error }.ToJsonString() + "\n").ConfigureAwait(false);
                context.Response.Close();
                return;
            }

            if (HoldAfterChunks is int hold && hold > 0 && hold == i)
            {
                Holding.TrySetResult();
                await _release.Task.ConfigureAwait(false);
            }

            var chunk = reply[i];
            var message = new JsonObject { ["role"] = "assistant", ["content"] = chunk.Content ?? string.Empty };
            if (chunk.Thinking is not null)
            {
                message["thinking"] = chunk.Thinking;
            }

            if (chunk.ToolName is not null)
            {
                message["tool_calls"] = ToolCalls([chunk]);
            }

            var line = new JsonObject { ["model"] = model, ["created_at"] = "2025-07-07T20:22:19.184789123Z", ["message"] = message, ["done"] = false };
            await WriteAndFlushAsync(context, line.ToJsonString() + "\n").ConfigureAwait(false);
        }

        if (!EndStreamEarly)
        {
            await WriteAndFlushAsync(context, Final(model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }).ToJsonString() + "\n").ConfigureAwait(false);
        }

        context.Response.Close();
    }

    private JsonObject Final(string model, JsonObject message)
    {
        var final = new JsonObject
        {
            ["model"] = model,
            ["created_at"] = "2025-07-07T20:22:19.184789Z",
            ["message"] = message,
            ["done"] = true,
            ["done_reason"] = DoneReason,
            ["total_duration"] = 182242375,
            ["load_duration"] = 41295167,
        };

        // Ollama's metrics are omitempty: a zero (or unknown) count is simply missing.
        if (PromptEvalCount is int prompt)
        {
            final["prompt_eval_count"] = prompt;
            final["prompt_eval_duration"] = 24573166;
        }

        if (EvalCount is int eval)
        {
            final["eval_count"] = eval;
            final["eval_duration"] = 115959084;
        }

        return final;
    }

    private static JsonArray ToolCalls(IEnumerable<FakeChunk> chunks)
    {
        var calls = new JsonArray();
        var index = 0;
        foreach (var chunk in chunks.Where(c => c.ToolName is not null))
        {
            var call = new JsonObject
            {
                ["function"] = new JsonObject { ["index"] = index++, ["name"] = chunk.ToolName, ["arguments"] = JsonNode.Parse(chunk.ToolArgumentsJson ?? "{}") },
            };
            if (chunk.ToolCallId is not null)
            {
                call["id"] = chunk.ToolCallId;
            }

            calls.Add((JsonNode)call);
        }

        return calls;
    }

    private async Task EmbedAsync(HttpListenerContext context, JsonObject request)
    {
        if (await RejectUnknownModelAsync(context, request).ConfigureAwait(false))
        {
            return;
        }

        var inputs = request["input"] is JsonArray array ? array.Select(n => (string)n!).ToList() : [(string)request["input"]!];
        var length = request["dimensions"] is JsonValue d ? Math.Min(d.GetValue<int>(), EmbeddingLength) : EmbeddingLength;
        var embeddings = new JsonArray([.. inputs.Select(i => (JsonNode)new JsonArray([.. VectorFor(i, length).Select(v => (JsonNode)JsonValue.Create(v))]))]);
        await WriteJsonAsync(context, HttpStatusCode.OK, new JsonObject
        {
            ["model"] = (string)request["model"]!,
            ["embeddings"] = embeddings,
            ["total_duration"] = 14143917,
            ["load_duration"] = 1019500,
            ["prompt_eval_count"] = inputs.Sum(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length),
        }).ConfigureAwait(false);
    }

    private async Task ShowAsync(HttpListenerContext context, JsonObject request)
    {
        if (await RejectUnknownModelAsync(context, request).ConfigureAwait(false))
        {
            return;
        }

        await WriteJsonAsync(context, HttpStatusCode.OK, new JsonObject
        {
            ["license"] = "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT",
            ["modelfile"] = Modelfile,
            ["parameters"] = Parameters,
            ["template"] = "{{ .Prompt }}",
            ["details"] = new JsonObject { ["parent_model"] = "", ["format"] = "gguf", ["family"] = Architecture, ["parameter_size"] = "3.2B", ["quantization_level"] = "Q4_K_M" },
            ["model_info"] = new JsonObject
            {
                ["general.architecture"] = Architecture,
                ["general.parameter_count"] = 3212749888,
                [Architecture + ".context_length"] = TrainedContextLength,
                [Architecture + ".embedding_length"] = 3072,
            },
            ["capabilities"] = new JsonArray("completion", "tools"),
            ["modified_at"] = "2025-08-01T10:00:00.000000Z",
        }).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpListenerContext context, HttpStatusCode status, JsonObject body)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        context.Response.Close();
    }

    private static async Task WriteAndFlushAsync(HttpListenerContext context, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        await context.Response.OutputStream.FlushAsync().ConfigureAwait(false);
    }
}
