using Cronos;

namespace Kinlet.Eventing.Sources;

/// <summary>A schedule that cannot be used; <see cref="Field"/> names it (<c>spec.schedule</c>, <c>spec.timezone</c>).</summary>
public sealed class PingScheduleException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
    public string Detail { get; } = message;
}

/// <summary>
/// A PingSource's schedule, parsed with Cronos: Knative's 5-field cron (and <c>@hourly</c>-style macros), an
/// optional <c>CRON_TZ=Zone</c> prefix as Knative accepts, and — a Kinlet extension for short intervals — a
/// 6-field form whose first field is seconds. Pure: ticks are computed from the last one, never from a timer.
/// </summary>
public sealed class PingSchedule
{
    private readonly CronExpression _cron;

    private PingSchedule(CronExpression cron, TimeZoneInfo zone)
    {
        _cron = cron;
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    public static PingSchedule Parse(string? schedule, string? timezone)
    {
        var text = (schedule ?? "").Trim();
        if (text.Length == 0) throw new PingScheduleException("spec.schedule", "required: a 5-field cron schedule, e.g. \"*/1 * * * *\"");
        string? zoneName = string.IsNullOrEmpty(timezone) ? null : timezone;
        foreach (var prefix in new[] { "CRON_TZ=", "TZ=" })
        {
            if (!text.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var space = text.IndexOf(' ');
            if (space < 0) throw new PingScheduleException("spec.schedule", $"\"{text}\" has a time zone but no schedule");
            zoneName = text[prefix.Length..space];
            text = text[(space + 1)..].Trim();
        }
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (text[0] != '@' && fields is not (5 or 6))
            throw new PingScheduleException("spec.schedule", $"\"{text}\" has {fields} fields; a cron schedule has 5 (minute hour day month weekday), or 6 with seconds first");
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new PingScheduleException("spec.schedule", $"\"{text}\" is not a cron schedule: {e.Message}");
        }
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (zoneName is not null)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw new PingScheduleException(string.IsNullOrEmpty(timezone) ? "spec.schedule" : "spec.timezone",
                    $"unknown time zone \"{zoneName}\" (use an IANA name, e.g. Europe/Paris)");
            }
        }
        return new PingSchedule(cron, zone);
    }

    /// <summary>The first tick strictly after <paramref name="after"/> (null when the schedule never fires again).</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _cron.GetNextOccurrence(after, Zone, inclusive: false);

    /// <summary>
    /// The tick to fire next, given the last one fired (or the moment the source was made) and now: the first tick
    /// after <paramref name="last"/> when it is still ahead; else the latest tick already due, once — so a daemon
    /// that was down over one or more ticks fires one event for them, not one per missed tick, and none twice.
    /// </summary>
    public DateTimeOffset? Due(DateTimeOffset last, DateTimeOffset now)
    {
        var next = Next(last);
        if (next is not { } n || n > now) return next;
        var latest = n;
        // Walk forward to the last tick at or before now (bounded: a schedule every second over a long outage).
        for (var i = 0; i < 100_000 && Next(latest) is { } t && t <= now; i++) latest = t;
        return latest;
    }
}
