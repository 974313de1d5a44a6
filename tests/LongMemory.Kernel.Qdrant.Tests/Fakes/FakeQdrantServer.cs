using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LongMemory.Kernel.Qdrant.Tests.Fakes;

/// <summary>
/// An in-memory Qdrant on a loopback port. Every request is checked against the OpenAPI document (body schema and
/// query parameter names) before it is served; a request that fails gets a 400 with the validation errors and is
/// recorded in <see cref="ValidationFailures"/>. The semantics are Qdrant's where the index relies on them:
/// collections with named dense/sparse vectors and metadata, payload filters, scroll offsets, exact counts, deletes,
/// retrieval, and queries with prefetch + RRF, dense cosine/dot and sparse dot product with the IDF modifier.
/// </summary>
internal sealed class FakeQdrantServer : IDisposable
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "does", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on",
        "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "when", "will", "with",
    };

    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, FakeCollection> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> _vocabulary = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ScriptedResponse> _scripted = new();
    private readonly Lock _gate = new();
    private readonly Task _loop;
    private long _operationId;

    public FakeQdrantServer(string version = "1.19.0", string? apiKey = null)
    {
        Version = version;
        ApiKey = apiKey;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }

    public string Version { get; }

    public string? ApiKey { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<string> ValidationFailures { get; } = new();

    public IReadOnlyCollection<string> CollectionNames
    {
        get
        {
            lock (_gate)
            {
                return _collections.Keys.ToList();
            }
        }
    }

    /// <summary>Answers the next request with this response instead of serving it.</summary>
    public void Enqueue(HttpStatusCode status, string? error = null, string? retryAfter = null) =>
        _scripted.Enqueue(new ScriptedResponse(status, error, retryAfter));

    /// <summary>Gets a collection's metadata as JSON (test inspection).</summary>
    public JsonObject? Metadata(string collection)
    {
        lock (_gate)
        {
            return _collections.TryGetValue(collection, out var c) ? (JsonObject)c.Metadata.DeepClone() : null;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Serve(context));
        }
    }

    private void Serve(HttpListenerContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = reader.ReadToEnd();
        }

        var path = request.Url!.AbsolutePath;
        var query = request.QueryString;
        var recorded = new RecordedRequest(request.HttpMethod, path, request.Url.Query, request.Headers["api-key"], body);
        Requests.Enqueue(recorded);

        int status;
        string responseBody;
        string? retryAfter = null;
        if (_scripted.TryDequeue(out var scripted))
        {
            status = (int)scripted.Status;
            responseBody = Error(scripted.Error ?? scripted.Status.ToString());
            retryAfter = scripted.RetryAfter;
        }
        else if (ApiKey is not null && request.Headers["api-key"] != ApiKey)
        {
            status = 401;
            responseBody = Error("Must provide an API key or an Authorization bearer token");
        }
        else
        {
            (status, responseBody) = Handle(request.HttpMethod, path, query.AllKeys.Where(k => k is not null).Select(k => k!).ToList(), body);
        }

        var bytes = Encoding.UTF8.GetBytes(responseBody);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.AddHeader("Retry-After", retryAfter);
        }

        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }

    private (int Status, string Body) Handle(string method, string path, List<string> queryNames, string body)
    {
        var operation = OpenApiRequestValidator.Instance.Find(method, path);
        if (operation is null)
        {
            return (404, Error($"Not found: {method} {path}"));
        }

        var errors = OpenApiRequestValidator.Instance.Validate(operation, queryNames, body);
        if (errors.Count > 0)
        {
            var message = $"{method} {path} does not match the OpenAPI schema {operation.BodySchema}: {string.Join("; ", errors)}";
            ValidationFailures.Enqueue(message + " Body: " + body);
            return (400, Error("Format error in JSON body: " + message));
        }

        if (operation.Id == "root")
        {
            return (200, new JsonObject { ["title"] = "qdrant - vector search engine", ["version"] = Version }.ToJsonString());
        }

        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var json = string.IsNullOrEmpty(body) ? null : JsonNode.Parse(body);
        try
        {
            lock (_gate)
            {
                var result = Dispatch(operation.Id, segments, json);
                return (200, new JsonObject { ["result"] = result, ["status"] = "ok", ["time"] = 0.0001 }.ToJsonString());
            }
        }
        catch (FakeQdrantException ex)
        {
            return (ex.Status, Error(ex.Message));
        }
    }

    private JsonNode? Dispatch(string operationId, string[] segments, JsonNode? body)
    {
        switch (operationId)
        {
            case "collection_exists":
                return new JsonObject { ["exists"] = _collections.ContainsKey(segments[1]) };
            case "get_collection":
                return Collection(segments[1]).Info();
            case "create_collection":
                if (_collections.ContainsKey(segments[1]))
                {
                    throw new FakeQdrantException(409, $"Wrong input: Collection `{segments[1]}` already exists!");
                }

                _collections[segments[1]] = FakeCollection.Create(body!.AsObject());
                return true;
            case "update_collection":
                Collection(segments[1]).MergeMetadata(body?["metadata"] as JsonObject);
                return true;
            case "delete_collection":
                return _collections.Remove(segments[1]);
            case "create_field_index":
                Collection(segments[1]).PayloadSchema[body!["field_name"]!.GetValue<string>()] = body["field_schema"]?.DeepClone();
                return Completed();
            case "create_vector_name":
                Collection(segments[1]).AddVector(segments[3], body!.AsObject());
                return Completed();
            case "upsert_points":
                Upsert(Collection(segments[1]), body!.AsObject());
                return Completed();
            case "get_points":
                return GetPoints(Collection(segments[1]), body!.AsObject());
            case "scroll_points":
                return Scroll(Collection(segments[1]), body!.AsObject());
            case "count_points":
            {
                var c = Collection(segments[1]);
                var filter = body?["filter"] as JsonObject;
                return new JsonObject { ["count"] = c.Points.Values.Count(p => Matches(p, filter)) };
            }

            case "delete_points":
                Delete(Collection(segments[1]), body!.AsObject());
                return Completed();
            case "query_points":
            {
                var c = Collection(segments[1]);
                return new JsonObject { ["points"] = Query(c, body!.AsObject()) };
            }

            case "query_batch_points":
            {
                var c = Collection(segments[1]);
                var results = new JsonArray();
                foreach (var search in body!["searches"]!.AsArray())
                {
                    results.Add(new JsonObject { ["points"] = Query(c, search!.AsObject()) });
                }

                return results;
            }

            default:
                throw new FakeQdrantException(501, $"The fake Qdrant does not implement {operationId}.");
        }
    }

    private static string Error(string message) =>
        new JsonObject { ["status"] = new JsonObject { ["error"] = message }, ["time"] = 0.0001, ["result"] = null }.ToJsonString();

    private JsonObject Completed() => new() { ["operation_id"] = Interlocked.Increment(ref _operationId), ["status"] = "completed" };

    private FakeCollection Collection(string name) =>
        _collections.TryGetValue(name, out var c) ? c : throw new FakeQdrantException(404, $"Not found: Collection `{name}` doesn't exist!");

    private void Upsert(FakeCollection collection, JsonObject body)
    {
        if (body["points"] is not JsonArray points)
        {
            throw new FakeQdrantException(400, "The fake Qdrant only supports the PointsList form of upsert.");
        }

        var parsed = new List<FakePoint>();
        foreach (var node in points)
        {
            var point = node!.AsObject();
            var id = PointId(point["id"]!);
            var stored = new FakePoint(id) { Payload = point["payload"] as JsonObject is { } payload ? (JsonObject)payload.DeepClone() : [] };
            switch (point["vector"])
            {
                case JsonObject named:
                    foreach (var (name, value) in named)
                    {
                        SetVector(collection, stored, name, value!);
                    }

                    break;
                case JsonArray unnamed:
                    SetVector(collection, stored, string.Empty, unnamed);
                    break;
                default:
                    throw new FakeQdrantException(400, "Wrong input: unsupported vector form in the fake.");
            }

            parsed.Add(stored);
        }

        foreach (var point in parsed)
        {
            point.Version = Interlocked.Increment(ref _operationId);
            collection.Points[point.Id] = point;
        }
    }

    private void SetVector(FakeCollection collection, FakePoint point, string name, JsonNode value)
    {
        if (collection.Dense.TryGetValue(name, out var dense))
        {
            if (value is not JsonArray array)
            {
                throw new FakeQdrantException(400, $"Wrong input: Conversion between sparse and regular vectors failed for '{name}'");
            }

            var vector = array.Select(v => v!.GetValue<float>()).ToArray();
            if (vector.Length != dense.Size)
            {
                throw new FakeQdrantException(400, $"Wrong input: Vector dimension error: expected dim: {dense.Size}, got {vector.Length}");
            }

            point.Dense[name] = dense.Distance == "Cosine" ? Normalize(vector) : vector;
        }
        else if (collection.Sparse.ContainsKey(name))
        {
            point.Sparse[name] = SparseInput(value, query: false);
        }
        else
        {
            throw new FakeQdrantException(400, $"Wrong input: Not existing vector name error: {name}");
        }
    }

    private Dictionary<uint, float> SparseInput(JsonNode value, bool query)
    {
        var obj = value as JsonObject ?? throw new FakeQdrantException(400, "Wrong input: expected a sparse vector or a document");
        if (obj.ContainsKey("indices"))
        {
            var indices = obj["indices"]!.AsArray().Select(i => i!.GetValue<uint>()).ToArray();
            var values = obj["values"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
            if (indices.Length != values.Length || indices.Distinct().Count() != indices.Length)
            {
                throw new FakeQdrantException(400, "Wrong input: Validation error in JSON body: indices must be unique and match values in length");
            }

            return indices.Zip(values).ToDictionary(p => p.First, p => p.Second);
        }

        var model = obj["model"]?.GetValue<string>() ?? string.Empty;
        if (!model.Equals("qdrant/bm25", StringComparison.OrdinalIgnoreCase) && !model.Equals("bm25", StringComparison.OrdinalIgnoreCase))
        {
            throw new FakeQdrantException(400, $"Wrong input: Inference is not configured for model {model}");
        }

        if (System.Version.Parse(Version.Split('-')[0]) < new Version(1, 15, 2))
        {
            throw new FakeQdrantException(400, "Wrong input: Inference is not configured, can't process document");
        }

        var options = obj["options"] as JsonObject;
        var k = options?["k"]?.GetValue<double>() ?? 1.2;
        var b = options?["b"]?.GetValue<double>() ?? 0.75;
        var avg = options?["avg_len"]?.GetValue<double>() ?? 256;
        var tokens = Tokens(obj["text"]!.GetValue<string>());
        var counts = tokens.GroupBy(t => t).ToDictionary(g => TermId(g.Key), g => g.Count());
        return query
            ? counts.ToDictionary(p => p.Key, _ => 1f)
            : counts.ToDictionary(p => p.Key, p => (float)(p.Value * (k + 1) / (p.Value + (k * (1 - b + (b * tokens.Count / avg))))));
    }

    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0)
            {
                var token = current.ToString();
                if (!StopWords.Contains(token))
                {
                    tokens.Add(token);
                }

                current.Clear();
            }
        }

        return tokens;
    }

    private uint TermId(string token)
    {
        if (!_vocabulary.TryGetValue(token, out var id))
        {
            id = (uint)_vocabulary.Count;
            _vocabulary[token] = id;
        }

        return id;
    }

    private static JsonArray GetPoints(FakeCollection collection, JsonObject body)
    {
        var result = new JsonArray();
        foreach (var idNode in body["ids"]!.AsArray())
        {
            if (collection.Points.TryGetValue(PointId(idNode!), out var point))
            {
                result.Add(Record(point, body["with_payload"] ?? true, body["with_vector"] ?? false));
            }
        }

        return result;
    }

    private JsonObject Scroll(FakeCollection collection, JsonObject body)
    {
        if (body.ContainsKey("order_by"))
        {
            throw new FakeQdrantException(400, "The fake Qdrant does not implement order_by.");
        }

        var limit = body["limit"]?.GetValue<int>() ?? 10;
        var offset = body["offset"] is { } o ? PointId(o) : null;
        var filter = body["filter"] as JsonObject;
        var matching = collection.Points.Values
            .Where(p => offset is null || string.CompareOrdinal(p.Id, offset) >= 0)
            .Where(p => Matches(p, filter))
            .Take(limit + 1)
            .ToList();
        var points = new JsonArray();
        foreach (var point in matching.Take(limit))
        {
            points.Add(Record(point, body["with_payload"] ?? true, body["with_vector"] ?? false));
        }

        return new JsonObject { ["points"] = points, ["next_page_offset"] = matching.Count > limit ? matching[limit].Id : null };
    }

    private void Delete(FakeCollection collection, JsonObject body)
    {
        if (body["points"] is JsonArray ids)
        {
            foreach (var id in ids)
            {
                collection.Points.Remove(PointId(id!));
            }

            return;
        }

        var filter = body["filter"]!.AsObject();
        foreach (var point in collection.Points.Values.Where(p => Matches(p, filter)).ToList())
        {
            collection.Points.Remove(point.Id);
        }
    }

    private JsonArray Query(FakeCollection collection, JsonObject request)
    {
        var scored = Evaluate(collection, request, null);
        var offset = request["offset"]?.GetValue<int>() ?? 0;
        var result = new JsonArray();
        foreach (var (point, score) in scored.Skip(offset))
        {
            var record = Record(point, request["with_payload"] ?? false, request["with_vector"] ?? false);
            record["score"] = score;
            record["version"] = point.Version;
            result.Add(record);
        }

        return result;
    }

    private List<(FakePoint Point, double Score)> Evaluate(FakeCollection collection, JsonObject request, JsonObject? outerFilter)
    {
        var filter = request["filter"] as JsonObject;
        var limit = (request["limit"]?.GetValue<int>() ?? 10) + (request["offset"]?.GetValue<int>() ?? 0);
        bool Allowed(FakePoint p) => Matches(p, outerFilter) && Matches(p, filter);

        var prefetchResults = new List<List<(FakePoint Point, double Score)>>();
        switch (request["prefetch"])
        {
            case JsonObject single:
                prefetchResults.Add(Evaluate(collection, single, Combine(outerFilter, filter)));
                break;
            case JsonArray many:
                foreach (var p in many)
                {
                    prefetchResults.Add(Evaluate(collection, p!.AsObject(), Combine(outerFilter, filter)));
                }

                break;
        }

        var query = request["query"];
        if (query is JsonObject nearest && nearest.ContainsKey("nearest"))
        {
            query = nearest["nearest"];
        }

        IEnumerable<(FakePoint Point, double Score)> scored;
        if (query is JsonObject fusion && (fusion.ContainsKey("fusion") || fusion.ContainsKey("rrf")))
        {
            if (fusion["fusion"] is { } kind && kind.GetValue<string>() != "rrf")
            {
                throw new FakeQdrantException(400, "The fake Qdrant implements only rrf fusion.");
            }

            var k = fusion["rrf"]?["k"]?.GetValue<int>() ?? 2;
            var weights = fusion["rrf"]?["weights"]?.AsArray().Select(w => w!.GetValue<double>()).ToArray();
            var sums = new Dictionary<string, (FakePoint Point, double Score)>(StringComparer.Ordinal);
            for (var i = 0; i < prefetchResults.Count; i++)
            {
                var weight = weights is null ? 1.0 : weights[i];
                for (var pos = 0; pos < prefetchResults[i].Count; pos++)
                {
                    var point = prefetchResults[i][pos].Point;
                    var add = 1.0 / (((pos + 1) / weight) + k - 1);
                    sums[point.Id] = sums.TryGetValue(point.Id, out var s) ? (point, s.Score + add) : (point, add);
                }
            }

            scored = sums.Values.Where(s => Allowed(s.Point));
        }
        else if (query is null)
        {
            scored = collection.Points.Values.Where(Allowed).Select(p => (p, 0.0));
        }
        else
        {
            var name = request["using"]?.GetValue<string>() ?? string.Empty;
            var candidates = prefetchResults.Count == 0
                ? collection.Points.Values.Where(Allowed)
                : prefetchResults.SelectMany(r => r).Select(r => r.Point).DistinctBy(p => p.Id).Where(Allowed);
            if (collection.Dense.TryGetValue(name, out var dense))
            {
                if (query is not JsonArray array)
                {
                    throw new FakeQdrantException(400, $"Wrong input: query for dense vector '{name}' must be a vector");
                }

                var vector = array.Select(v => v!.GetValue<float>()).ToArray();
                if (vector.Length != dense.Size)
                {
                    throw new FakeQdrantException(400, $"Wrong input: Vector dimension error: expected dim: {dense.Size}, got {vector.Length}");
                }

                if (dense.Distance == "Cosine")
                {
                    vector = Normalize(vector);
                }

                scored = candidates.Where(p => p.Dense.ContainsKey(name)).Select(p => (p, Dot(vector, p.Dense[name])));
            }
            else if (collection.Sparse.TryGetValue(name, out var idf))
            {
                var sparse = SparseInput(query, query: true);
                var withVector = collection.Points.Values.Where(p => p.Sparse.ContainsKey(name)).ToList();
                double Idf(uint term)
                {
                    if (!idf)
                    {
                        return 1;
                    }

                    var n = withVector.Count(p => p.Sparse[name].ContainsKey(term));
                    return Math.Log(1 + ((withVector.Count - n + 0.5) / (n + 0.5)));
                }

                var idfs = sparse.Keys.ToDictionary(t => t, Idf);
                scored = candidates
                    .Where(p => p.Sparse.TryGetValue(name, out var v) && v.Keys.Any(sparse.ContainsKey))
                    .Select(p => (p, sparse.Sum(q => p.Sparse[name].TryGetValue(q.Key, out var w) ? q.Value * w * idfs[q.Key] : 0.0)));
            }
            else
            {
                throw new FakeQdrantException(400, $"Wrong input: Not existing vector name error: {name}");
            }
        }

        var threshold = request["score_threshold"]?.GetValue<double>();
        return scored
            .Where(s => threshold is null || s.Score >= threshold)
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Point.Id, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
    }

    private static JsonObject? Combine(JsonObject? a, JsonObject? b) =>
        a is null ? b : b is null ? a : new JsonObject { ["must"] = new JsonArray(a.DeepClone(), b.DeepClone()) };

    private static bool Matches(FakePoint point, JsonObject? filter)
    {
        if (filter is null)
        {
            return true;
        }

        static IEnumerable<JsonNode> Conditions(JsonNode? node) => node switch
        {
            null => [],
            JsonArray array => array.Select(c => c!),
            _ => [node],
        };

        if (!Conditions(filter["must"]).All(c => Condition(point, c)))
        {
            return false;
        }

        var should = Conditions(filter["should"]).ToList();
        if (should.Count > 0 && !should.Any(c => Condition(point, c)))
        {
            return false;
        }

        if (filter["min_should"] is JsonObject minShould &&
            Conditions(minShould["conditions"]).Count(c => Condition(point, c)) < minShould["min_count"]!.GetValue<int>())
        {
            return false;
        }

        return !Conditions(filter["must_not"]).Any(c => Condition(point, c));
    }

    private static bool Condition(FakePoint point, JsonNode node)
    {
        var condition = node.AsObject();
        if (condition.ContainsKey("must") || condition.ContainsKey("should") || condition.ContainsKey("must_not") || condition.ContainsKey("min_should"))
        {
            return Matches(point, condition);
        }

        if (condition["has_id"] is JsonArray ids)
        {
            return ids.Any(i => PointId(i!) == point.Id);
        }

        if (condition["has_vector"] is JsonValue vector)
        {
            var name = vector.GetValue<string>();
            return point.Dense.ContainsKey(name) || point.Sparse.ContainsKey(name);
        }

        if (condition["is_empty"] is JsonObject isEmpty)
        {
            return Values(point, isEmpty["key"]!.GetValue<string>()).Count == 0;
        }

        if (condition["is_null"] is JsonObject isNull)
        {
            return point.Payload.TryGetPropertyValue(isNull["key"]!.GetValue<string>(), out var v) && v is null;
        }

        var key = condition["key"]?.GetValue<string>() ?? throw new FakeQdrantException(400, "The fake Qdrant does not implement this condition: " + node.ToJsonString());
        var values = Values(point, key);
        if (condition["match"] is JsonObject match)
        {
            if (match["value"] is JsonNode value)
            {
                return values.Any(v => SameValue(v, value));
            }

            if (match["any"] is JsonArray any)
            {
                return values.Any(v => any.Any(a => SameValue(v, a!)));
            }

            if (match["except"] is JsonArray except)
            {
                return values.Count > 0 && values.All(v => !except.Any(a => SameValue(v, a!)));
            }

            if (match["text"] is JsonValue text)
            {
                return values.Any(v => v is JsonValue s && s.GetValueKind() == JsonValueKind.String && s.GetValue<string>().Contains(text.GetValue<string>(), StringComparison.Ordinal));
            }

            throw new FakeQdrantException(400, "The fake Qdrant does not implement this match: " + match.ToJsonString());
        }

        if (condition["range"] is JsonObject range)
        {
            return values.Any(v => InRange(v, range));
        }

        if (condition["is_empty"] is JsonValue emptyFlag)
        {
            return (values.Count == 0) == emptyFlag.GetValue<bool>();
        }

        throw new FakeQdrantException(400, "The fake Qdrant does not implement this field condition: " + node.ToJsonString());
    }

    private static List<JsonNode> Values(FakePoint point, string key)
    {
        JsonNode? current = point.Payload;
        foreach (var part in key.Split('.'))
        {
            current = current is JsonObject obj && obj.TryGetPropertyValue(part, out var next) ? next : null;
        }

        return current switch
        {
            null => [],
            JsonArray array => array.Where(v => v is not null).Select(v => v!).ToList(),
            _ => [current],
        };
    }

    private static bool SameValue(JsonNode stored, JsonNode wanted) =>
        stored.GetValueKind() == wanted.GetValueKind() && stored.ToJsonString() == wanted.ToJsonString();

    private static bool InRange(JsonNode value, JsonObject range)
    {
        var bounds = new[] { "lt", "gt", "gte", "lte" }.Where(range.ContainsKey).Where(b => range[b] is not null).ToList();
        var datetime = bounds.Any(b => range[b]!.GetValueKind() == JsonValueKind.String);
        int Compare(JsonNode bound)
        {
            if (datetime)
            {
                if (value.GetValueKind() != JsonValueKind.String)
                {
                    return int.MinValue;
                }

                // Qdrant keeps datetimes as microseconds since the epoch.
                static long Micros(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcTicks / 10;
                return Micros(value.GetValue<string>()).CompareTo(Micros(bound.GetValue<string>()));
            }

            return value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>().CompareTo(bound.GetValue<double>()) : int.MinValue;
        }

        foreach (var bound in bounds)
        {
            var c = Compare(range[bound]!);
            if (c == int.MinValue)
            {
                return false;
            }

            var ok = bound switch
            {
                "lt" => c < 0,
                "gt" => c > 0,
                "gte" => c >= 0,
                _ => c <= 0,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static JsonObject Record(FakePoint point, JsonNode withPayload, JsonNode withVector)
    {
        var record = new JsonObject { ["id"] = PointIdNode(point.Id) };
        if (withPayload is JsonArray keys)
        {
            var payload = new JsonObject();
            foreach (var key in keys.Select(k => k!.GetValue<string>()))
            {
                if (point.Payload.TryGetPropertyValue(key, out var v))
                {
                    payload[key] = v?.DeepClone();
                }
            }

            record["payload"] = payload;
        }
        else if (withPayload.GetValueKind() == JsonValueKind.True)
        {
            record["payload"] = point.Payload.DeepClone();
        }

        var names = withVector switch
        {
            JsonArray array => array.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal),
            _ when withVector.GetValueKind() == JsonValueKind.True => point.Dense.Keys.Concat(point.Sparse.Keys).ToHashSet(StringComparer.Ordinal),
            _ => [],
        };
        if (names.Count > 0)
        {
            var vectors = new JsonObject();
            foreach (var name in names)
            {
                if (point.Dense.TryGetValue(name, out var dense))
                {
                    vectors[name] = new JsonArray(dense.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
                }
                else if (point.Sparse.TryGetValue(name, out var sparse))
                {
                    vectors[name] = new JsonObject
                    {
                        ["indices"] = new JsonArray(sparse.Keys.Select(i => (JsonNode)JsonValue.Create(i)!).ToArray()),
                        ["values"] = new JsonArray(sparse.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
                    };
                }
            }

            record["vector"] = vectors;
        }

        return record;
    }

    private static string PointId(JsonNode node) =>
        node.GetValueKind() == JsonValueKind.Number
            ? node.GetValue<ulong>().ToString(CultureInfo.InvariantCulture)
            : Guid.TryParse(node.GetValue<string>(), out var guid)
                ? guid.ToString("D")
                : throw new FakeQdrantException(400, $"Wrong input: Unable to parse UUID: {node.GetValue<string>()}");

    private static JsonNode PointIdNode(string id) =>
        ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(id);

    private static float[] Normalize(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return norm == 0 ? vector : vector.Select(v => (float)(v / norm)).ToArray();
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    internal sealed record RecordedRequest(string Method, string Path, string Query, string? ApiKey, string Body);

    private sealed record ScriptedResponse(HttpStatusCode Status, string? Error, string? RetryAfter);

    private sealed class FakeQdrantException(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    private sealed class FakePoint(string id)
    {
        public string Id { get; } = id;

        public long Version { get; set; }

        public JsonObject Payload { get; init; } = [];

        public Dictionary<string, float[]> Dense { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Dictionary<uint, float>> Sparse { get; } = new(StringComparer.Ordinal);
    }

    private sealed class FakeCollection
    {
        public Dictionary<string, (int Size, string Distance)> Dense { get; } = new(StringComparer.Ordinal);

        /// <summary>Sparse vector names and whether the IDF modifier is on.</summary>
        public Dictionary<string, bool> Sparse { get; } = new(StringComparer.Ordinal);

        public JsonObject Metadata { get; private set; } = [];

        public Dictionary<string, JsonNode?> PayloadSchema { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, FakePoint> Points { get; } = new(StringComparer.Ordinal);

        public static FakeCollection Create(JsonObject body)
        {
            var collection = new FakeCollection();
            switch (body["vectors"])
            {
                case JsonObject single when single.ContainsKey("size"):
                    collection.Dense[string.Empty] = (single["size"]!.GetValue<int>(), single["distance"]!.GetValue<string>());
                    break;
                case JsonObject named:
                    foreach (var (name, config) in named)
                    {
                        collection.Dense[name] = (config!["size"]!.GetValue<int>(), config["distance"]!.GetValue<string>());
                    }

                    break;
            }

            foreach (var (name, config) in body["sparse_vectors"] as JsonObject ?? [])
            {
                collection.Sparse[name] = string.Equals(config?["modifier"]?.GetValue<string>(), "idf", StringComparison.OrdinalIgnoreCase);
            }

            collection.MergeMetadata(body["metadata"] as JsonObject);
            return collection;
        }

        public void MergeMetadata(JsonObject? metadata)
        {
            foreach (var (key, value) in metadata ?? [])
            {
                if (value is null)
                {
                    Metadata.Remove(key);
                }
                else
                {
                    Metadata[key] = value.DeepClone();
                }
            }
        }

        public void AddVector(string name, JsonObject body)
        {
            if (Dense.ContainsKey(name) || Sparse.ContainsKey(name))
            {
                throw new FakeQdrantException(400, $"Wrong input: Vector with name {name} already exists");
            }

            if (body["dense"] is JsonObject dense)
            {
                Dense[name] = (dense["size"]!.GetValue<int>(), dense["distance"]!.GetValue<string>());
            }
            else
            {
                Sparse[name] = string.Equals(body["sparse"]?["modifier"]?.GetValue<string>(), "idf", StringComparison.OrdinalIgnoreCase);
            }
        }

        public JsonObject Info()
        {
            var vectors = new JsonObject();
            foreach (var (name, (size, distance)) in Dense)
            {
                vectors[name] = new JsonObject { ["size"] = size, ["distance"] = distance };
            }

            var sparse = new JsonObject();
            foreach (var (name, idf) in Sparse)
            {
                sparse[name] = new JsonObject { ["modifier"] = idf ? "idf" : "none" };
            }

            var schema = new JsonObject();
            foreach (var (field, fieldSchema) in PayloadSchema)
            {
                var type = fieldSchema is JsonObject p ? p["type"]!.GetValue<string>() : fieldSchema!.GetValue<string>();
                schema[field] = new JsonObject { ["data_type"] = type, ["params"] = fieldSchema?.DeepClone(), ["points"] = Points.Count };
            }

            return new JsonObject
            {
                ["status"] = "green",
                ["optimizer_status"] = "ok",
                ["segments_count"] = 1,
                ["points_count"] = Points.Count,
                ["indexed_vectors_count"] = 0,
                ["config"] = new JsonObject
                {
                    ["params"] = new JsonObject
                    {
                        ["vectors"] = vectors,
                        ["sparse_vectors"] = sparse,
                        ["shard_number"] = 1,
                        ["replication_factor"] = 1,
                        ["write_consistency_factor"] = 1,
                        ["on_disk_payload"] = true,
                    },
                    ["hnsw_config"] = new JsonObject { ["m"] = 16, ["ef_construct"] = 100, ["full_scan_threshold"] = 10000 },
                    ["optimizer_config"] = new JsonObject { ["deleted_threshold"] = 0.2, ["vacuum_min_vector_number"] = 1000, ["default_segment_number"] = 0, ["flush_interval_sec"] = 5 },
                    ["metadata"] = Metadata.DeepClone(),
                },
                ["payload_schema"] = schema,
            };
        }
    }
}
