using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kinlet.Core.Json;
using Kinlet.Core.Validation;

namespace Kinlet.Core.Manifests;

/// <summary>One resource read from a manifest: its type, name, and untyped body.</summary>
public sealed record ManifestResource(string ApiVersion, string Kind, string? Name, string? Namespace, JsonObject Body, int Line)
{
    public string Describe() => $"{Kind}/{Name ?? "(unnamed)"}";
}

/// <summary>Result of binding an untyped body to a resource type: the value and the fields it ignored.</summary>
public sealed record Bound<T>(T Value, IReadOnlyList<string> Warnings);

/// <summary>Reads Kubernetes-style manifests (YAML or JSON; several documents; <c>kind: List</c>).</summary>
public static partial class ManifestReader
{
    public static IReadOnlyList<ManifestResource> Read(string text)
    {
        var result = new List<ManifestResource>();
        foreach (var doc in YamlJson.ParseDocuments(text))
            Collect(doc.Node, doc.Line, result);
        return result;
    }

    private static void Collect(JsonNode node, int line, List<ManifestResource> into)
    {
        if (node is not JsonObject obj)
            throw new ManifestException($"line {line}: a manifest document must be a mapping", line);
        var kind = Str(obj, "kind");
        var apiVersion = Str(obj, "apiVersion");
        if (kind is "List" && obj["items"] is JsonArray items)
        {
            foreach (var item in items)
                if (item is not null) Collect(item, line, into);
            return;
        }
        if (string.IsNullOrEmpty(kind)) throw new ValidationException("kind", $"missing (document at line {line})");
        if (string.IsNullOrEmpty(apiVersion)) throw new ValidationException("apiVersion", $"missing (document at line {line})");
        var meta = obj["metadata"] as JsonObject;
        into.Add(new ManifestResource(apiVersion, kind, meta is null ? null : Str(meta, "name"), meta is null ? null : Str(meta, "namespace"), obj, line));
    }

    private static string? Str(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>
    /// Binds a body to <typeparamref name="T"/>. A wrong type fails with the field's path; a field the
    /// model does not know is ignored and reported as a warning, never silently misread.
    /// </summary>
    public static Bound<T> Bind<T>(JsonNode body) where T : class
    {
        T? value;
        try
        {
            value = body.Deserialize<T>(KinletJson.Options);
        }
        catch (JsonException e)
        {
            throw new ValidationException(FieldOf(e.Path), DescribeTypeError(e.Message));
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new ValidationException("", e.Message);
        }
        if (value is null) throw new ValidationException("", "the body is empty");
        var warnings = new List<string>();
        var roundTrip = JsonSerializer.SerializeToNode(value, KinletJson.Options);
        FindIgnored(body, roundTrip, "", warnings);
        return new Bound<T>(value, warnings);
    }

    public static Bound<T> Bind<T>(string json) where T : class
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new ValidationException(FieldOf(e.Path), "invalid JSON: " + FirstSentence(e.Message));
        }
        if (node is null) throw new ValidationException("", "the body is empty");
        return Bind<T>(node);
    }

    private static void FindIgnored(JsonNode? input, JsonNode? known, string path, List<string> warnings)
    {
        switch (input)
        {
            case JsonObject io:
                var ko = known as JsonObject;
                foreach (var (key, value) in io)
                {
                    if (value is null) continue;
                    var child = path.Length == 0 ? key : path + "." + key;
                    if (ko is null || !ko.ContainsKey(key))
                    {
                        if (path.Length == 0 && key == "status") continue; // status is output only, by design
                        warnings.Add($"{child}: not supported by Kinlet, ignored");
                        continue;
                    }
                    FindIgnored(value, ko[key], child, warnings);
                }
                break;
            case JsonArray ia when known is JsonArray ka:
                for (var i = 0; i < ia.Count && i < ka.Count; i++)
                    FindIgnored(ia[i], ka[i], $"{path}[{i}]", warnings);
                break;
        }
    }

    public static string FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "";
        var p = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        // System.Text.Json writes keys with dots as ['a.b']; keep them readable.
        return p.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
    }

    private static string DescribeTypeError(string message)
    {
        // Kinlet's own converters already say what the field must be.
        if (message.StartsWith("must ", StringComparison.Ordinal)) return FirstSentence(message);
        var m = TargetType().Match(message);
        if (!m.Success) return "has the wrong type: " + FirstSentence(message);
        var t = m.Groups[1].Value;
        var expected =
            t.Contains("Int32", StringComparison.Ordinal) || t.Contains("Int64", StringComparison.Ordinal) ? "an integer" :
            t.Contains("Boolean", StringComparison.Ordinal) ? "true or false" :
            t.Contains("Dictionary", StringComparison.Ordinal) ? "a mapping of strings" :
            t.Contains("List", StringComparison.Ordinal) ? "a list" :
            t.Contains("String", StringComparison.Ordinal) ? "a string" :
            t.Contains("DateTimeOffset", StringComparison.Ordinal) ? "a RFC 3339 time" :
            t.Contains("IntOrString", StringComparison.Ordinal) ? "a port number or name" :
            "a mapping";
        return $"must be {expected}";
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    [GeneratedRegex(@"could not be converted to ([\w\.`\[\], ]+)")]
    private static partial Regex TargetType();
}
