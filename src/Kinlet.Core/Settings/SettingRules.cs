using System.Globalization;

namespace Kinlet.Core.Settings;

/// <summary>
/// The rules kinletd's settings are checked by at start, shared by every layer's options validator. Each rule that
/// does not hold adds one line naming the full configuration key and the value it had, e.g.
/// <c>Kinlet:Autoscaler:TargetConcurrency must be &gt; 0 (was -1)</c>, so a typo stops the daemon with a line that
/// says which flag to fix instead of a misbehaving autoscaler later.
/// </summary>
public sealed class SettingRules(string section)
{
    private readonly List<string> _errors = [];

    /// <summary>The lines so far, in the order the rules were checked; empty when every rule holds.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>The full key of a setting of this section (<c>Kinlet:Autoscaler</c> + <c>TargetConcurrency</c>).</summary>
    public string Key(string name) => section + ":" + name;

    public SettingRules Positive(string name, double value) => Check(value > 0, name, "must be > 0", Show(value));

    public SettingRules Positive(string name, long value) => Check(value > 0, name, "must be > 0", Show(value));

    public SettingRules Positive(string name, TimeSpan value) => Check(value > TimeSpan.Zero, name, "must be > 0", Show(value));

    public SettingRules NotNegative(string name, long value) => Check(value >= 0, name, "must be >= 0", Show(value));

    public SettingRules NotNegative(string name, TimeSpan value) => Check(value >= TimeSpan.Zero, name, "must be >= 0", Show(value));

    /// <summary><paramref name="value"/> in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public SettingRules Between(string name, double value, double min, double max) =>
        Check(value >= min && value <= max, name, $"must be between {Show(min)} and {Show(max)}", Show(value));

    /// <summary>Above <paramref name="min"/> (exclusive) and at most <paramref name="max"/>: a percentage that cannot be 0.</summary>
    public SettingRules AboveAtMost(string name, double value, double min, double max) =>
        Check(value > min && value <= max, name, $"must be > {Show(min)} and <= {Show(max)}", Show(value));

    public SettingRules Above(string name, double value, double min) => Check(value > min, name, $"must be > {Show(min)}", Show(value));

    /// <summary>A TCP port, 0 (any) to 65535.</summary>
    public SettingRules Port(string name, int value) => Check(value is >= 0 and <= 65535, name, "must be a port (0-65535)", Show(value));

    public SettingRules NotEmpty(string name, string? value) => Check(!string.IsNullOrWhiteSpace(value), name, "must not be empty", $"\"{value}\"");

    public SettingRules OneOf(string name, string? value, params string[] allowed) =>
        Check(value is not null && allowed.Contains(value, StringComparer.Ordinal), name, "must be one of " + string.Join(", ", allowed), $"\"{value}\"");

    /// <summary><paramref name="value"/> no smaller than the setting <paramref name="lowerName"/> (whose value is <paramref name="lower"/>).</summary>
    public SettingRules AtLeast(string name, TimeSpan value, string lowerName, TimeSpan lower) =>
        Check(value >= lower, name, $"must be >= {Key(lowerName)} ({Show(lower)})", Show(value));

    public SettingRules AtLeast(string name, long value, string lowerName, long lower) =>
        Check(value >= lower, name, $"must be >= {Key(lowerName)} ({Show(lower)})", Show(value));

    /// <summary>Any other rule: <paramref name="holds"/> false adds "<c>{key} {rule} (was {was})</c>".</summary>
    public SettingRules Check(bool holds, string name, string rule, string was)
    {
        if (!holds) _errors.Add($"{Key(name)} {rule} (was {was})");
        return this;
    }

    public static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>As it is written in configuration (<c>00:00:30</c>).</summary>
    public static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
