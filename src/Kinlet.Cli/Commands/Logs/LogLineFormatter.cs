using System.Text;
using System.Text.Json;

namespace Kinlet.Cli.Commands.Logs;

/// <summary>
/// One NDJSON line of the daemon's logs stream as people read it: <c>hello-00001-3f2a | line</c> for an instance,
/// <c>kinletd | line</c> for the daemon's own lines. With colour, each instance keeps one colour for its prefix
/// (chosen from its name, so it is the same in every run) and kinletd's lines are dim yellow.
/// </summary>
internal sealed class LogLineFormatter(bool colour)
{
    public const string DaemonPrefix = "kinletd";

    private const string Reset = "\u001b[0m";
    private const string DaemonStyle = "\u001b[2;33m";
    private static readonly string[] Palette =
        ["\u001b[36m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[96m", "\u001b[92m", "\u001b[95m", "\u001b[94m"];

    /// <summary>The lines to print for one NDJSON object (a line with newlines in it prints as several); none for one that cannot be read.</summary>
    public IReadOnlyList<string> Format(string ndjson)
    {
        string? instance = null, source = null, text = null, container = null;
        try
        {
            using var doc = JsonDocument.Parse(ndjson);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return [];
            instance = String(root, "instance");
            container = String(root, "container");
            source = String(root, "source");
            text = String(root, "line") ?? "";
        }
        catch (JsonException)
        {
            return [];
        }

        var daemon = source == "kinletd";
        var prefix = daemon ? DaemonPrefix : container is null ? instance ?? "?" : $"{instance ?? "?"}/{container}";
        var lines = text.TrimEnd('\n').Split('\n');
        var result = new List<string>(lines.Length);
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd('\r');
            if (!colour) result.Add($"{prefix} | {line}");
            else if (daemon) result.Add($"{DaemonStyle}{prefix} | {line}{Reset}");
            else result.Add($"{ColourOf(prefix)}{prefix}{Reset} | {line}");
        }
        return result;
    }

    /// <summary>A colour per instance name, stable across runs (FNV-1a, not the process-randomised string hash).</summary>
    internal static string ColourOf(string name)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return Palette[hash % (uint)Palette.Length];
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
