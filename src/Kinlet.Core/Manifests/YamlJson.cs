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
        var budget = new Budget();
        foreach (var doc in stream.Documents)
        {
            var root = doc.RootNode;
            if (root is YamlScalarNode { Style: ScalarStyle.Plain } s && IsNull(s.Value)) continue;
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
                Write(writer, root, depth: 1, budget);
            result.Add(new ParsedDocument(JsonNode.Parse(buffer.WrittenSpan)!, (int)root.Start.Line));
        }
        return result;
    }

    /// <summary>Deepest nesting accepted: System.Text.Json's default, which every later step uses too.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most values one call may produce: aliases can multiply a small file into gigabytes ("billion laughs").</summary>
    public const int MaxValues = 250_000;

    private sealed class Budget
    {
        private int _values;

        public void Spend(YamlNode at)
        {
            if (++_values > MaxValues)
                throw new ManifestException($"line {at.Start.Line}: the manifest expands to more than {MaxValues} values (through YAML aliases?)", (int)at.Start.Line);
        }
    }

    private static Exception Inner(Exception e) => e.InnerException is YamlException ? Inner(e.InnerException) : e;

    private static void Write(Utf8JsonWriter writer, YamlNode node, int depth, Budget budget)
    {
        if (depth > MaxDepth)
            throw new ManifestException($"line {node.Start.Line}: nested more than {MaxDepth} levels deep", (int)node.Start.Line);
        budget.Spend(node);
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in Entries(map, depth, budget))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value, depth + 1, budget);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                writer.WriteStartArray();
                foreach (var item in seq.Children) Write(writer, item, depth + 1, budget);
                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new ManifestException($"line {node.Start.Line}: unsupported YAML node", (int)node.Start.Line);
        }
    }

    /// <summary>
    /// A mapping's entries with YAML merge keys applied (<c>&lt;&lt;: *defaults</c>), as Kubernetes' YAML reader
    /// applies them: the mapping's own keys win, then earlier merged mappings over later ones.
    /// </summary>
    private static List<KeyValuePair<string, YamlNode>> Entries(YamlMappingNode map, int depth, Budget budget)
    {
        if (depth > MaxDepth)
            throw new ManifestException($"line {map.Start.Line}: nested more than {MaxDepth} levels deep", (int)map.Start.Line);
        var entries = new List<KeyValuePair<string, YamlNode>>(map.Children.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        List<YamlNode>? merges = null;
        foreach (var (key, value) in map.Children)
        {
            // Counted here as well: merged maps are walked again for every merge that names them.
            budget.Spend(key);
            if (key is not YamlScalarNode k || k.Value is null)
                throw new ManifestException($"line {key.Start.Line}: mapping keys must be plain strings", (int)key.Start.Line);
            if (k.Value == "<<" && k.Style == ScalarStyle.Plain)
            {
                (merges ??= []).Add(value);
                continue;
            }
            if (!seen.Add(k.Value))
                throw new ManifestException($"line {key.Start.Line}: duplicate key '{k.Value}'", (int)key.Start.Line);
            entries.Add(new(k.Value, value));
        }
        foreach (var merge in merges ?? [])
        {
            foreach (var source in merge is YamlSequenceNode list ? list.Children : [merge])
            {
                if (source is not YamlMappingNode from)
                    throw new ManifestException($"line {source.Start.Line}: '<<' must merge a mapping or a list of mappings", (int)source.Start.Line);
                foreach (var entry in Entries(from, depth + 1, budget))
                    if (seen.Add(entry.Key)) entries.Add(entry);
            }
        }
        return entries;
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var v = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) { writer.WriteStringValue(v); return; }
        // An explicit !!str (or the non-specific "!") makes a plain scalar a string: `port: !!str 8080`.
        if (!scalar.Tag.IsEmpty && scalar.Tag.Value is "tag:yaml.org,2002:str" or "!") { writer.WriteStringValue(v); return; }
        if (IsNull(v)) { writer.WriteNullValue(); return; }
        switch (v)
        {
            case "true" or "True" or "TRUE": writer.WriteBooleanValue(true); return;
            case "false" or "False" or "FALSE": writer.WriteBooleanValue(false); return;
        }
        if (IntPattern().IsMatch(v))
        {
            // Raw text keeps big numbers exact; "+5" is not valid JSON, so drop the sign.
            WriteNumber(writer, v, v.TrimStart('+'));
            return;
        }
        if (FloatPattern().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            var text = v.TrimStart('+');
            if (text.StartsWith('.')) text = "0" + text;
            else if (text.StartsWith("-.", StringComparison.Ordinal)) text = "-0" + text[1..];
            if (text.EndsWith('.')) text += "0";
            text = text.Replace(".e", ".0e", StringComparison.OrdinalIgnoreCase);
            WriteNumber(writer, v, text);
            return;
        }
        writer.WriteStringValue(v);
    }

    // JSON has no leading zeros: `zip: 01234` is a YAML 1.2 integer but not a JSON number. Such a scalar
    // goes on as its original text in a string, which numeric fields still read (AllowReadingFromString)
    // and string fields keep verbatim.
    private static void WriteNumber(Utf8JsonWriter writer, string original, string json)
    {
        if (JsonNumberPattern().IsMatch(json)) writer.WriteRawValue(json, skipInputValidation: false);
        else writer.WriteStringValue(original);
    }

    private static bool IsNull(string? v) => v is null or "" or "~" or "null" or "Null" or "NULL";

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumberPattern();

    // Quote YAML 1.1 words too (yes/no/on/off/y/n, 1_000, 1:20): kubectl reads YAML 1.1, where an
    // unquoted `value: yes` becomes a boolean and a Knative cluster rejects the exported manifest.
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new QuoteTypedLookingStrings(next))
        .DisableAliases()
        .Build();

    /// <summary>
    /// Double-quotes every string a YAML 1.1 or 1.2 reader could take for a number, boolean or null.
    /// YamlDotNet's own check misses some (<c>1e3</c> is a float to go-yaml, so to kubectl).
    /// </summary>
    private sealed class QuoteTypedLookingStrings(IEventEmitter next) : YamlDotNet.Serialization.EventEmitters.ChainedEventEmitter(next)
    {
        public override void Emit(YamlDotNet.Serialization.ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string v && LooksTyped(v))
                eventInfo.Style = ScalarStyle.DoubleQuoted;
            base.Emit(eventInfo, emitter);
        }
    }

    private static bool LooksTyped(string v) => v.Length == 0 || TypedLooking().IsMatch(v);

    // Null, YAML 1.1 and 1.2 booleans, ints (decimal, 0x, 0o, 0b, underscores, sexagesimal), floats, .inf/.nan, merge and value keys.
    [GeneratedRegex(@"^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
        + @"|[-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
        + @"|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO]?[0-7_]+|[-+]?0[bB][01_]+"
        + @"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"
        + @"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|<<|=)$")]
    private static partial Regex TypedLooking();

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
