using Kinlet.Core.Model;
using Kinlet.Eventing.Sources;

namespace Kinlet.Eventing.Tests.Sources;

public sealed class PingScheduleTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("*/1 * * * *", "2026-11-29T10:00:30Z", "2026-11-29T10:01:00Z")]
    [InlineData("*/5 * * * *", "2026-11-29T10:01:00Z", "2026-11-29T10:05:00Z")]
    [InlineData("0 9 * * 1-5", "2026-11-28T10:00:00Z", "2026-11-30T09:00:00Z")] // Saturday → Monday
    [InlineData("@hourly", "2026-11-29T10:20:00Z", "2026-11-29T11:00:00Z")]
    [InlineData("@daily", "2026-11-29T10:20:00Z", "2026-11-30T00:00:00Z")]
    [InlineData("*/2 * * * * *", "2026-11-29T10:00:01Z", "2026-11-29T10:00:02Z")] // six fields: seconds first
    [InlineData("  0   12 * * *  ", "2026-11-29T10:00:00Z", "2026-11-29T12:00:00Z")]
    public void Next_tick_in_utc(string schedule, string after, string expected) =>
        Assert.Equal(At(expected), PingSchedule.Parse(schedule, null).Next(At(after)));

    [Fact]
    public void Next_is_strictly_after_a_tick()
    {
        var s = PingSchedule.Parse("*/1 * * * *", null);
        Assert.Equal(At("2026-11-29T10:02:00Z"), s.Next(At("2026-11-29T10:01:00Z")));
    }

    [Fact]
    public void Timezone_field_and_cron_tz_prefix_shift_the_ticks()
    {
        // 09:00 in Paris is 08:00 UTC in winter.
        Assert.Equal(At("2026-11-30T08:00:00Z"), PingSchedule.Parse("0 9 * * *", "Europe/Paris").Next(At("2026-11-29T10:00:00Z")));
        Assert.Equal(At("2026-11-30T08:00:00Z"), PingSchedule.Parse("CRON_TZ=Europe/Paris 0 9 * * *", null).Next(At("2026-11-29T10:00:00Z")));
        Assert.Equal(At("2026-11-29T14:00:00Z"), PingSchedule.Parse("0 9 * * *", "America/New_York").Next(At("2026-11-29T10:00:00Z")));
    }

    [Theory]
    [InlineData("", null, "spec.schedule")]
    [InlineData("* * *", null, "spec.schedule")]
    [InlineData("61 * * * *", null, "spec.schedule")]
    [InlineData("* * * * * * *", null, "spec.schedule")]
    [InlineData("every minute", null, "spec.schedule")]
    [InlineData("@sometimes", null, "spec.schedule")]
    [InlineData("* * * * *", "Mars/Olympus", "spec.timezone")]
    [InlineData("CRON_TZ=Nowhere/Land * * * * *", null, "spec.schedule")]
    [InlineData("CRON_TZ=Europe/Paris", null, "spec.schedule")]
    public void Bad_schedules_name_their_field(string schedule, string? zone, string field) =>
        Assert.Equal(field, Assert.Throws<PingScheduleException>(() => PingSchedule.Parse(schedule, zone)).Field);

    [Fact]
    public void Due_waits_for_the_next_tick_when_it_is_ahead()
    {
        var s = PingSchedule.Parse("*/1 * * * *", null);
        Assert.Equal(At("2026-11-29T10:01:00Z"), s.Due(At("2026-11-29T10:00:00Z"), At("2026-11-29T10:00:40Z")));
    }

    [Fact]
    public void Due_after_an_outage_fires_the_latest_missed_tick_once()
    {
        var s = PingSchedule.Parse("*/1 * * * *", null);
        // Last fired 10:00, down until 10:07:30: one event for 10:07, then 10:08 as usual.
        var due = s.Due(At("2026-11-29T10:00:00Z"), At("2026-11-29T10:07:30Z"));
        Assert.Equal(At("2026-11-29T10:07:00Z"), due);
        Assert.Equal(At("2026-11-29T10:08:00Z"), s.Due(due!.Value, At("2026-11-29T10:07:31Z")));
    }

    [Fact]
    public void Due_right_after_a_tick_that_was_recorded_does_not_fire_it_again()
    {
        var s = PingSchedule.Parse("*/1 * * * *", null);
        Assert.Equal(At("2026-11-29T10:02:00Z"), s.Due(At("2026-11-29T10:01:00Z"), At("2026-11-29T10:01:00.5Z")));
    }

    [Fact]
    public void The_event_has_knatives_type_source_and_a_stable_id_per_tick()
    {
        var source = new PingSource
        {
            Metadata = new ObjectMeta { Name = "beat", Namespace = "default", Uid = "u-1" },
            Spec = new PingSourceSpec { Schedule = "* * * * *", Data = """{"beat":true}""" },
        };
        var tick = At("2026-11-29T10:01:00Z");
        var e = PingScheduler.Event("default", source, tick);
        Assert.Equal("dev.knative.sources.ping", e.Type);
        Assert.Equal("/apis/v1/namespaces/default/pingsources/beat", e.Source!.ToString());
        Assert.Equal(tick, e.Time);
        Assert.Equal("application/json", e.DataContentType);
        Assert.Equal("""{"beat":true}""", System.Text.Encoding.UTF8.GetString((byte[])e.Data!));
        Assert.True(Guid.TryParse(e.Id, out _));
        Assert.Equal(e.Id, PingScheduler.Event("default", source, tick).Id);
        Assert.NotEqual(e.Id, PingScheduler.Event("default", source, tick.AddMinutes(1)).Id);

        source.Spec = new PingSourceSpec { Schedule = "* * * * *", DataBase64 = Convert.ToBase64String([1, 2, 3]) };
        var binary = PingScheduler.Event("default", source, tick);
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[])binary.Data!);
        Assert.Equal("application/octet-stream", binary.DataContentType);
    }
}
