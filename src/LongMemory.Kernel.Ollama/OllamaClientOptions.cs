using System.Globalization;
using System.Net;

namespace LongMemory.Kernel.Ollama;

/// <summary>Where the Ollama server is, which models to use and the context window to send. Validated at registration.</summary>
public sealed class OllamaClientOptions
{
    /// <summary>The endpoint of a local Ollama server: <c>http://localhost:11434/</c>.</summary>
    public static readonly Uri DefaultEndpoint = new("http://localhost:11434/");

    /// <summary>The default for <see cref="Timeout"/>: 5 minutes, because a local model can take that long to load and answer.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the server's base URL.</summary>
    /// <value>Defaults to <see cref="DefaultEndpoint"/> (<c>http://localhost:11434/</c>). See <see cref="ParseOllamaHost"/> for <c>OLLAMA_HOST</c>.</value>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Gets or sets the chat model (for example <c>llama3.2</c>), used when <c>ChatOptions.ModelId</c> is not set.</summary>
    /// <value>Defaults to <see langword="null"/>; required by <c>AddOllamaChatClient</c>.</value>
    public string? ChatModel { get; set; }

    /// <summary>Gets or sets the embedding model (for example <c>nomic-embed-text</c> or <c>all-minilm</c>).</summary>
    /// <value>Defaults to <see langword="null"/>; required by <c>AddOllamaEmbeddingGenerator</c>.</value>
    public string? EmbeddingModel { get; set; }

    /// <summary>
    /// Gets or sets how long a request may take: the whole answer when not streaming, the time to the response headers
    /// when streaming. Applied as <see cref="HttpClient.Timeout"/> of the named clients the DI helpers register.
    /// </summary>
    /// <value>Defaults to <see cref="DefaultTimeout"/> (5 minutes). Use <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit.</value>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// Gets or sets the context window to request (<c>options.num_ctx</c>) on every chat call that does not set one itself
    /// (<c>ChatOptions.AdditionalProperties["num_ctx"]</c>). Set it to the token budget prompts are assembled for
    /// (<c>ChatMemoryOptions.Context.MaxContextTokens</c>).
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>, which <c>AddOllamaChatClient</c> refuses: without <c>num_ctx</c> the server runs
    /// the model with its own default window (4096 tokens with less than 24 GiB of VRAM) and silently drops the oldest
    /// part of a longer prompt. <see cref="OllamaContextWindow.GetContextLengthAsync"/> reads the model's window.
    /// </value>
    public int? ContextLength { get; set; }

    /// <summary>Checks the options and throws with a message that names the property when one is invalid.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(OllamaClientOptions)}.{nameof(Endpoint)} must be an absolute http or https URL such as http://localhost:11434 (was '{Endpoint}').", nameof(Endpoint));
        }

        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan && Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(OllamaClientOptions)}.{nameof(Timeout)} must be positive or Timeout.InfiniteTimeSpan (was {Timeout}).", nameof(Timeout));
        }

        if (ContextLength is < 1)
        {
            throw new ArgumentException($"{nameof(OllamaClientOptions)}.{nameof(ContextLength)} must be at least 1 when set (was {ContextLength}).", nameof(ContextLength));
        }

        if (ChatModel is not null && string.IsNullOrWhiteSpace(ChatModel))
        {
            throw new ArgumentException($"{nameof(OllamaClientOptions)}.{nameof(ChatModel)} must not be empty when set.", nameof(ChatModel));
        }

        if (EmbeddingModel is not null && string.IsNullOrWhiteSpace(EmbeddingModel))
        {
            throw new ArgumentException($"{nameof(OllamaClientOptions)}.{nameof(EmbeddingModel)} must not be empty when set.", nameof(EmbeddingModel));
        }

   }

    /// <summary>Gets the endpoint named by the <c>OLLAMA_HOST</c> environment variable, or <see cref="DefaultEndpoint"/> when it is not set.</summary>
    /// <returns>The base URL to call.</returns>
    public static Uri EndpointFromEnvironment() => ParseOllamaHost(Environment.GetEnvironmentVariable("OLLAMA_HOST"));

    /// <summary>
    /// Parses a value in the <c>OLLAMA_HOST</c> format the Ollama CLI accepts: <c>host</c>, <c>host:port</c>, <c>:port</c>,
    /// <c>[ipv6]:port</c> or <c>scheme://host[:port][/path]</c>.
    /// </summary>
    /// <param name="value">The value; <see langword="null"/> or empty gives the default endpoint.</param>
    /// <returns>The base URL to call.</returns>
    /// <remarks>
    /// Follows Ollama's envconfig.Host: without a scheme the scheme is http and the port 11434; with <c>http://</c> or
    /// <c>https://</c> and no port, the port is 80 or 443; an invalid port falls back to the default. A server bound to every
    /// interface (<c>0.0.0.0</c>, <c>::</c> or an empty host) is reached through the loopback address 127.0.0.1.
    /// </remarks>
    public static Uri ParseOllamaHost(string? value)
    {
        var s = value?.Trim() ?? string.Empty;
        var defaultPort = "11434";
        string scheme;
        string hostPort;
        var schemeEnd = s.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            scheme = "http";
            hostPort = s;
            if (s == "ollama.com")
            {
                scheme = "https";
                hostPort = "ollama.com:443";
            }
        }
        else
        {
            scheme = s[..schemeEnd].ToLowerInvariant();
            hostPort = s[(schemeEnd + 3)..];
            defaultPort = scheme == "https" ? "443" : scheme == "http" ? "80" : defaultPort;
        }

        var path = string.Empty;
        var slash = hostPort.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = hostPort[(slash + 1)..];
            hostPort = hostPort[..slash];
        }

        if (!TrySplitHostPort(hostPort, out var host, out var port))
        {
            host = "127.0.0.1";
            port = defaultPort;
            var trimmed = hostPort.Trim('[', ']');
            if (IPAddress.TryParse(trimmed, out var ip))
            {
                host = ip.ToString();
            }
            else if (hostPort.Length > 0)
            {
                host = hostPort;
            }
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber > 65535)
        {
            portNumber = int.Parse(defaultPort, CultureInfo.InvariantCulture);
        }

        if (host.Length == 0 || (IPAddress.TryParse(host, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))))
        {
            host = "127.0.0.1";
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            host = "[" + host + "]";
        }

        var builder = new UriBuilder(scheme, host, portNumber, path.Length == 0 ? "/" : "/" + path.TrimEnd('/') + "/");
        return builder.Uri;
    }

    /// <summary>Go's net.SplitHostPort: succeeds only for <c>host:port</c> or <c>[v6]:port</c> (an empty host or port is allowed).</summary>
    private static bool TrySplitHostPort(string hostPort, out string host, out string port)
    {
        host = string.Empty;
        port = string.Empty;
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 != colon)
            {
                return false;
            }

            host = hostPort[1..close];
        }
        else
        {
            host = hostPort[..colon];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                return false; // a bare IPv6 address has too many colons
            }
        }

        port = hostPort[(colon + 1)..];
        return true;
    }

    internal OllamaClientOptions Clone() => (OllamaClientOptions)MemberwiseClone();

    internal void Configure(HttpClient client)
    {
        client.BaseAddress = Endpoint;
        client.Timeout = Timeout;
    }
}
