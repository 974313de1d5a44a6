using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace LongMemory.Kernel.Qdrant.Tests.Fakes;

/// <summary>
/// Validates request bodies and query parameters against Qdrant's OpenAPI 3.0 document with NJsonSchema. The
/// document's component schemas become JSON Schema definitions: <c>#/components/schemas/X</c> references are
/// re-pointed to <c>#/definitions/X</c>, and OpenAPI's <c>nullable: true</c> becomes a <c>null</c> type (a bare
/// <c>{"nullable": true}</c> branch of an <c>anyOf</c> would otherwise accept anything).
/// </summary>
internal sealed class OpenApiRequestValidator
{
    private static readonly Lazy<OpenApiRequestValidator> Shared = new(() => Load(SharedData.PathOf("specs/qdrant-openapi-1.19.json")));

    private readonly List<Operation> _operations;
    private readonly JsonSchema _root;

    private OpenApiRequestValidator(List<Operation> operations, JsonSchema root)
    {
        _operations = operations;
        _root = root;
    }

    public static OpenApiRequestValidator Instance => Shared.Value;

    /// <summary>Finds the operation of a request.</summary>
    public Operation? Find(string method, string path) =>
        _operations.FirstOrDefault(o => o.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && o.Path.IsMatch(path));

    /// <summary>Validates a request of an operation; returns the errors (empty when valid).</summary>
    public List<string> Validate(Operation operation, IEnumerable<string> queryNames, string? body)
    {
        var errors = new List<string>();
        foreach (var name in queryNames)
        {
            if (!operation.QueryParameters.Contains(name))
            {
                errors.Add($"query parameter '{name}' is not defined for {operation.Id}");
            }
        }

        if (operation.BodySchema is null)
        {
            if (!string.IsNullOrEmpty(body))
            {
                errors.Add($"{operation.Id} takes no request body");
            }

            return errors;
        }

        if (string.IsNullOrEmpty(body))
        {
            errors.Add($"{operation.Id} needs a {operation.BodySchema} body");
            return errors;
        }

        JToken token;
        try
        {
            using var reader = new JsonTextReader(new StringReader(body)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Double };
            token = JToken.ReadFrom(reader);
        }
        catch (JsonReaderException ex)
        {
            errors.Add("body is not JSON: " + ex.Message);
            return errors;
        }

        var validator = new JsonSchemaValidator();
        foreach (var error in validator.Validate(token, _root.Definitions[operation.BodySchema]))
        {
            Describe(error, errors, string.Empty);
        }

        return errors;
    }

    private static void Describe(ValidationError error, List<string> into, string indent)
    {
        into.Add($"{indent}{error.Kind} at {error.Path ?? "#"}{(error.Property is null ? string.Empty : " (" + error.Property + ")")}");
        if (error is ChildSchemaValidationError child && indent.Length < 6)
        {
            foreach (var branch in child.Errors.Values.Where(e => e.Count > 0).Take(3))
            {
                foreach (var inner in branch.Take(3))
                {
                    Describe(inner, into, indent + "  ");
                }
            }
        }
    }

    private static OpenApiRequestValidator Load(string path)
    {
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var schemas = document["components"]!["schemas"]!.DeepClone().AsObject();
        Rewrite(schemas);
        var root = new JsonObject { ["definitions"] = schemas };
        var schema = JsonSchema.FromJsonAsync(root.ToJsonString()).GetAwaiter().GetResult();

        var operations = new List<Operation>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            var pattern = new Regex("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+\}", "[^/]+") + "$", RegexOptions.CultureInvariant);
            foreach (var (method, op) in item!.AsObject())
            {
                var reference = op?["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>();
                var query = (op?["parameters"]?.AsArray() ?? [])
                    .Where(p => p?["in"]?.GetValue<string>() == "query")
                    .Select(p => p!["name"]!.GetValue<string>())
                    .ToHashSet(StringComparer.Ordinal);
                operations.Add(new Operation(op!["operationId"]!.GetValue<string>(), method, template, pattern, reference?.Split('/')[^1], query));
            }
        }

        // Literal segments win over parameters: /points/query must not be taken for /points/{id}.
        operations.Sort((a, b) => b.Template.Count(c => c != '{').CompareTo(a.Template.Count(c => c != '{')));
        return new OpenApiRequestValidator(operations, schema);
    }

    private static void Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal))
                {
                    obj["$ref"] = "#/definitions/" + reference.GetValue<string>()["#/components/schemas/".Length..];
                }

                if (obj["nullable"] is JsonValue nullable && nullable.GetValue<bool>())
                {
                    obj.Remove("nullable");
                    if (obj["type"] is JsonValue type)
                    {
                        obj["type"] = new JsonArray(type.GetValue<string>(), "null");
                    }
                    else if (obj["anyOf"] is JsonArray anyOf)
                    {
                        anyOf.Add(new JsonObject { ["type"] = "null" });
                    }
                    else if (!obj.ContainsKey("$ref") && !obj.ContainsKey("oneOf") && !obj.ContainsKey("allOf"))
                    {
                        obj["type"] = "null";
                    }
                }

                foreach (var (_, child) in obj.ToList())
                {
                    Rewrite(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Rewrite(child);
                }

                break;
        }
    }

    /// <summary>An operation of the OpenAPI document.</summary>
    internal sealed record Operation(string Id, string Method, string Template, Regex Path, string? BodySchema, HashSet<string> QueryParameters);
}
