using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Kinlet.Core.Manifests;

/// <summary>
/// YAML ⇄ JSON for manifests. Plain scalars are typed by the YAML 1.2 core schema (what Kubernetes
/// users expect from <c>port: 8080</c>, <c>enabled: true</c>); YAML 1.1 words like <c>yes</c>/<c>on</c>
/// stay strings so nothing is silently turned into a boolean.
/// </summary>
public static partial class YamlJson
{
    /// <summary>One JSON document per YAML document; empty documents are skipped.</summary>
    public static IReadOnlyList<ParsedDocument> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ManifestException($"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {Inner(e).Message}", (int)e.Start.Line);
        }

        var result = new List<ParsedDocument>(stream.Documents.Count);
        foreach (var doc in stream.Documents)
        {
            var root = doc.RootNode;
            if (root is YamlScalarNode { Style: ScalarStyle.Plain } s && IsNull(s.Value)) continue;
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
                Write(writer, root);
            result.Add(new ParsedDocument(JsonNode.Parse(buffer.WrittenSpan)!, (int)root.Start.Line));
        }
        return result;
    }

    private static Exception Inner(Exception e) => e.InnerException is YamlException ? Inner(e.InnerException) : e;

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode k || k.Value is null)
                        throw new ManifestException($"line {key.Start.Line}: mapping keys must be plain strings", (int)key.Start.Line);
                    if (!seen.Add(k.Value))
                        throw new ManifestException($"line {key.Start.Line}: duplicate key '{k.Value}'", (int)key.Start.Line);
                    writer.WritePropertyName(k.Value);
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                writer.WriteStartArray();
                foreach (var item in seq.Children) Write(writer, item);
                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new ManifestException($"line {node.Start.Line}: unsupported YAML node", (int)node.Start.Line);
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var v = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) { writer.WriteStringValue(v); return; }
        if (IsNull(v)) { writer.WriteNullValue(); return; }
        switch (v)
        {
            case "true" or "True" or "TRUE": writer.WriteBooleanValue(true); return;
            case "false" or "False" or "FALSE": writer.WriteBooleanValue(false); return;
        }
        if (IntPattern().IsMatch(v))
        {
            // Raw text keeps big numbers exact; "+5" is not valid JSON, so drop the sign.
            writer.WriteRawValue(v.TrimStart('+'), skipInputValidation: false);
            return;
        }
        if (FloatPattern().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            var text = v.TrimStart('+');
            if (text.StartsWith('.')) text = "0" + text;
            else if (text.StartsWith("-.", StringComparison.Ordinal)) text = "-0" + text[1..];
            if (text.EndsWith('.')) text += "0";
            text = text.Replace(".e", ".0e", StringComparison.OrdinalIgnoreCase);
            writer.WriteRawValue(text, skipInputValidation: false);
            return;
        }
        writer.WriteStringValue(v);
    }

    private static bool IsNull(string? v) => v is null or "" or "~" or "null" or "Null" or "NULL";

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    /// <summary>Writes JSON nodes as YAML documents separated by <c>---</c>.</summary>
    public static string ToYaml(IEnumerable<JsonNode?> documents)
    {
        var sb = new StringBuilder();
        var first = true;
        foreach (var doc in documents)
        {
            if (!first) sb.Append("---\n");
            first = false;
            sb.Append(Serializer.Serialize(ToPlain(doc)));
        }
        return sb.ToString();
    }

    public static string ToYaml(JsonNode? document) => ToYaml([document]);

    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}

public sealed record ParsedDocument(JsonNode Node, int Line);

/// <summary>A manifest that cannot be read at all (bad YAML, wrong shape).</summary>
public sealed class ManifestException(string message, int line = 0) : Exception(message)
{
    public int Line { get; } = line;
}
