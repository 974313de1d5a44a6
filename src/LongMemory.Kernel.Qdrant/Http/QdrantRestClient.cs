using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.Qdrant.Http;

/// <summary>
/// Sends JSON requests to Qdrant's REST API: <c>api-key</c> header, a timeout per attempt, retries with exponential
/// back-off on 429/503 (honouring <c>Retry-After</c>), timeouts and connection failures, and Qdrant's error text in
/// a <see cref="LongMemoryStoreException"/>.
/// </summary>
/// <remarks>Every request the index sends is idempotent (deterministic point ids), so retrying writes is safe.</remarks>
internal sealed partial class QdrantRestClient
{
    private readonly HttpClient _http;
    private readonly QdrantMemoryIndexOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Uri _baseAddress;

    public QdrantRestClient(HttpClient http, QdrantMemoryIndexOptions options, ILogger logger, TimeProvider timeProvider)
    {
        _http = http;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        var endpoint = options.Endpoint.ToString();
        _baseAddress = new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/");
    }

    /// <summary>Sends a request and returns the deserialized response body.</summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method,
        string path,
        TRequest? body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        var payload = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        return await SendCoreAsync(method, path, payload, responseType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request without a body.</summary>
    public Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendCoreAsync(method, path, null, responseType, cancellationToken);

    private async Task<TResponse> SendCoreAsync<TResponse>(HttpMethod method, string path, byte[]? payload, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseAddress, path);
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var request = new HttpRequestMessage(method, uri);
            if (payload is not null)
            {
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            if (_options.ApiKey is not null)
            {
                request.Headers.TryAddWithoutValidation("api-key", _options.ApiKey);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt < _options.MaxRetries)
                {
                    LogRetry(_logger, method.Method, path, "timeout", attempt + 1);
                    await DelayAsync(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw new LongMemoryStoreException($"Qdrant {method} {path} timed out after {_options.RequestTimeout.TotalSeconds:0.#} s ({attempt + 1} attempts).");
            }
            catch (HttpRequestException ex)
            {
                if (attempt < _options.MaxRetries)
                {
                    LogRetry(_logger, method.Method, path, "connection failure", attempt + 1);
                    await DelayAsync(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw new LongMemoryStoreException($"Qdrant {method} {path} failed: {ex.Message} ({attempt + 1} attempts).", ex);
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                        await using (stream.ConfigureAwait(false))
                        {
                            return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false)
                                ?? throw new LongMemoryStoreException($"Qdrant {method} {path} returned an empty body.");
                        }
                    }
                    catch (JsonException ex)
                    {
                        throw new LongMemoryStoreException($"Qdrant {method} {path} returned a body that is not the expected JSON: {ex.Message}", ex);
                    }
                }

                var status = response.StatusCode;
                if ((status == HttpStatusCode.TooManyRequests || status == HttpStatusCode.ServiceUnavailable) && attempt < _options.MaxRetries)
                {
                    var delay = RetryAfter(response) ?? Backoff(attempt);
                    LogRetry(_logger, method.Method, path, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), attempt + 1);
                    await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                throw new QdrantRequestException(
                    $"Qdrant {method} {path} failed with {(int)status} {status}: {error ?? "(no error text)"}",
                    status,
                    error);
            }
        }
    }

    internal TimeSpan Backoff(int attempt)
    {
        var ticks = _options.RetryBaseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 30));
        return ticks >= _options.MaxRetryDelay.Ticks ? _options.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - _timeProvider.GetUtcNow() : null);
        if (delay is null)
        {
            return null;
        }

        return delay.Value < TimeSpan.Zero ? TimeSpan.Zero : delay.Value > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay.Value;
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _timeProvider, cancellationToken);

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return response.ReasonPhrase;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("status", out var status) &&
                status.ValueKind == JsonValueKind.Object &&
                status.TryGetProperty("error", out var error) &&
                error.ValueKind == JsonValueKind.String)
            {
                return error.GetString();
            }
        }
        catch (JsonException)
        {
            // Not Qdrant's JSON error shape (a proxy's page, for example): report the text itself.
        }

        return text.Length <= 500 ? text : text[..500];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Qdrant {Method} {Path}: {Reason}, retry {Retry}")]
    private static partial void LogRetry(ILogger logger, string method, string path, string reason, int retry);
}
