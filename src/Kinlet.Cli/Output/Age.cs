using System.Globalization;

namespace Kinlet.Cli.Output;

/// <summary>kubectl-style ages: 45s, 12m, 5h, 3d.</summary>
internal static class Age
{
    public static string Format(DateTimeOffset? since, DateTimeOffset now)
    {
        if (since is null) return "";
        var d = now - since.Value;
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        return d.TotalSeconds < 60 ? $"{(int)d.TotalSeconds}s"
            : d.TotalMinutes < 60 ? $"{(int)d.TotalMinutes}m"
            : d.TotalHours < 24 ? $"{(int)d.TotalHours}h"
            : string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalDays}d");
    }
}
