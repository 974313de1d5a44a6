using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.Ollama;

/// <summary>
/// The one place that talks HTTP to Ollama: builds URLs, sends JSON, and turns every failure into an
/// <see cref="OllamaException"/> that names the endpoint (the caller's cancellation excepted).
/// </summary>
internal sealed class OllamaTransport : IDisposable
{
    private const int MaxErrorTextLength = 2000;
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly Func<HttpClient> _httpClient;
    private readonly HttpClient? _ownedClient;

    public OllamaTransport(Func<HttpClient> httpClient, OllamaClientOptions options, ILogger logger, HttpClient? ownedClient = null)
    {
        _httpClient = httpClient;
        _ownedClient = ownedClient;
        Options = options;
        Logger = logger;
        var endpoint = options.Endpoint.AbsoluteUri;
        Endpoint = new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/");
    }

    public OllamaClientOptions Options { get; }

    public ILogger Logger { get; }

    /// <summary>Gets the base URL, always ending in a slash so relative paths keep any path prefix of a proxy.</summary>
    public Uri Endpoint { get; }

    /// <summary>Creates an HttpClient that applies <see cref="OllamaClientOptions.Timeout"/> and is disposed with the transport.</summary>
    public static HttpClient CreateOwnedClient(OllamaClientOptions options) => new() { Timeout = options.Timeout };

    public Uri Resolve(string path) => new(Endpoint, path);

    public JsonElement? KeepAlive()
    {
        var value = Options.KeepAlive;
        if (value is null)
        {
            return null;
        }

        // A number means seconds (and -1 forever); anything else is a Go duration string such as "5m".
        return long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? JsonSerializer.SerializeToElement(seconds, OllamaJsonContext.Default.Int64)
            : JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.String);
    }

    /// <summary>Posts JSON and returns the parsed JSON answer, or throws <see cref="OllamaException"/>.</summary>
    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, string? model, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, path, JsonSerializer.SerializeToUtf8Bytes(body, requestType), HttpCompletionOption.ResponseContentRead, model, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, path, responseType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets JSON, or throws <see cref="OllamaException"/>.</summary>
    public async Task<TResponse> GetAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, path, responseType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request and returns a successful response; every other outcome throws.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, HttpCompletionOption completion, string? model, CancellationToken cancellationToken)
    {
        var url = Resolve(path);
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = JsonMediaType;
            request.Content = content;
        }

        var client = _httpClient();
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(url, client.Timeout, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OllamaException(
                $"Could not reach the Ollama server at {url}: {ex.Message} Is it running ('ollama serve') and is the endpoint right (OLLAMA_HOST)?",
                ex.StatusCode, null, url, ex);
        }

        Log.Response(Logger, method.Method, url, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(url, client.Timeout, ex);
            }
            catch (HttpRequestException)
            {
                text = string.Empty;
            }

            throw StatusError(url, response.StatusCode, ErrorText(text), model);
        }
    }

    /// <summary>Reads one JSON document; a body with an <c>error</c> field also throws.</summary>
    public async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var url = Resolve(path);
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(url, _httpClient().Timeout, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OllamaException($"The Ollama server at {url} closed the connection before the answer was complete: {ex.Message}", null, null, url, ex);
        }

        return Parse(text, url, type);
    }

    /// <summary>Parses one JSON document (or NDJSON line) and throws <see cref="OllamaException"/> for an <c>error</c> line or bad JSON.</summary>
    public static T Parse<T>(string json, Uri url, JsonTypeInfo<T> type)
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException ex)
        {
            throw new OllamaException($"The Ollama server at {url} sent an answer that is not the expected JSON: {Shorten(json)}", null, null, url, ex);
        }

        if (value is null)
        {
            throw new OllamaException($"The Ollama server at {url} sent an empty answer.", null, null, url);
        }

        var error = value switch
        {
            OllamaChatResponse chat => chat.Error,
            OllamaEmbedResponse embed => embed.Error,
            OllamaShowResponse show => show.Error,
            _ => null,
        };
        if (error is not null)
        {
            throw new OllamaException($"The Ollama server at {url} reported an error: {error}", null, error, url);
        }

        return value;
    }

    public static OllamaException TimedOut(Uri url, TimeSpan timeout, Exception inner) =>
        new($"The Ollama server at {url} did not answer within {timeout} (HttpClient.Timeout, set through OllamaClientOptions.Timeout). " +
            "A model that is still loading can take a while; raise the timeout or warm the model up first.",
            null, null, url, new TimeoutException($"Request to {url} timed out after {timeout}.", inner));

    public static OllamaException StatusError(Uri url, HttpStatusCode status, string serverError, string? model)
    {
        var code = (int)status;
        if (status == HttpStatusCode.NotFound && model is not null && serverError.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            return new OllamaException(
                $"Ollama model '{model}' was not found at {url} (HTTP 404: {serverError}). Pull it first: ollama pull {model}",
                status, serverError, url);
        }

        return new OllamaException($"The Ollama server at {url} answered HTTP {code} ({status}): {serverError}", status, serverError, url);
    }

    /// <summary>Extracts the <c>error</c> field of a JSON error body, or returns the (shortened) raw body.</summary>
    public static string ErrorText(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(no error text)";
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(body, OllamaJsonContext.Default.OllamaErrorResponse);
            if (!string.IsNullOrEmpty(parsed?.Error))
            {
                return parsed.Error;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, Go's "404 page not found"): the raw text is the best we have.
        }

        return Shorten(body.Trim());
    }

    private static string Shorten(string text) =>
        text.Length <= MaxErrorTextLength ? text : new StringBuilder(text, 0, MaxErrorTextLength, MaxErrorTextLength + 3).Append("...").ToString();

    public void Dispose() => _ownedClient?.Dispose();
}
