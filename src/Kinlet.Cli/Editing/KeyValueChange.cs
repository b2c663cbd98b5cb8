namespace Kinlet.Cli.Editing;

/// <summary>One <c>KEY=VALUE</c> flag value (set) or <c>KEY-</c> (remove), as kn takes them.</summary>
internal sealed record KeyValueChange(string Key, string? Value)
{
    public bool IsRemoval => Value is null;

    /// <summary>Parses each value; <paramref name="flag"/> names the flag in errors.</summary>
    public static IReadOnlyList<KeyValueChange> Parse(IEnumerable<string>? values, string flag, bool allowRemoval = true)
    {
        var result = new List<KeyValueChange>();
        foreach (var raw in values ?? [])
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result.Add(new(raw[..eq], raw[(eq + 1)..]));
                continue;
            }
            if (allowRemoval && raw.Length > 1 && raw.EndsWith('-') && eq < 0)
            {
                result.Add(new(raw[..^1], null));
                continue;
            }
            throw CliException.Usage(allowRemoval
                ? $"{flag}: '{raw}' must be KEY=VALUE, or KEY- to remove it"
                : $"{flag}: '{raw}' must be KEY=VALUE");
        }
        return result;
    }

    /// <summary>Applies the changes to a map; returns null when the map ends up empty, so it is left out of the JSON.</summary>
    public static Dictionary<string, string>? ApplyTo(Dictionary<string, string>? map, IEnumerable<KeyValueChange> changes)
    {
        var result = map is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(map, StringComparer.Ordinal);
        foreach (var c in changes)
        {
            if (c.IsRemoval) result.Remove(c.Key);
            else result[c.Key] = c.Value!;
        }
        return result.Count == 0 ? null : result;
    }
}
