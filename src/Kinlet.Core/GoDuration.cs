using System.Globalization;
using System.Text;

namespace Kinlet.Core;

/// <summary>
/// Go's <c>time.ParseDuration</c> format, used by Knative annotations (<c>window: 60s</c>,
/// <c>scale-down-delay: 1m30s</c>): an optional sign, then one or more decimal numbers each with a
/// unit (ns, us, µs, ms, s, m, h), or the bare "0". Precision is TimeSpan's (100 ns).
/// </summary>
public static class GoDuration
{
    // Go's duration is an int64 of nanoseconds; larger values are an error there, so here too.
    private const decimal MaxNanoseconds = long.MaxValue;

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s is "0") return true;
        if (s.IsEmpty) return false;

        decimal total = 0;
        while (!s.IsEmpty)
        {
            var i = 0;
            var digits = 0;
            var dot = false;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || (s[i] == '.' && !dot)))
            {
                if (s[i] == '.') dot = true; else digits++;
                i++;
            }
            if (digits == 0 || i > 30) return false;
            if (!decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            s = s[i..];

            var u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.') u++;
            decimal? unit = s[..u] switch
            {
                "ns" => 1m,
                "us" or "\u00b5s" or "\u03bcs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (unit is null) return false;
            s = s[u..];
            total += number * unit.Value;
            if (total > MaxNanoseconds) return false;
        }
        var ticks = (long)(total / 100m);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Writes a duration the way Go's <c>Duration.String()</c> does: "1h2m3.5s", "500ms", "0s".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        // Ticks of TimeSpan.MinValue have no positive counterpart; decimal holds it.
        decimal ticks = duration.Ticks;
        if (ticks < 0)
        {
            sb.Append('-');
            ticks = -ticks;
        }
        if (ticks < TimeSpan.TicksPerSecond)
        {
            if (ticks < TimeSpan.TicksPerMicrosecond) sb.Append(Number(ticks * 100m)).Append("ns");
            else if (ticks < TimeSpan.TicksPerMillisecond) sb.Append(Number(ticks / TimeSpan.TicksPerMicrosecond)).Append("\u00b5s");
            else sb.Append(Number(ticks / TimeSpan.TicksPerMillisecond)).Append("ms");
            return sb.ToString();
        }
        var hours = decimal.Floor(ticks / TimeSpan.TicksPerHour);
        ticks -= hours * TimeSpan.TicksPerHour;
        var minutes = decimal.Floor(ticks / TimeSpan.TicksPerMinute);
        ticks -= minutes * TimeSpan.TicksPerMinute;
        if (hours > 0) sb.Append(Number(hours)).Append('h');
        if (hours > 0 || minutes > 0) sb.Append(Number(minutes)).Append('m');
        sb.Append(Number(ticks / TimeSpan.TicksPerSecond)).Append('s');
        return sb.ToString();
    }

    private static string Number(decimal d) => d.ToString("0.#########", CultureInfo.InvariantCulture);
}
