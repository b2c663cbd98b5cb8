namespace Kinlet.Core.Tests;

public class GoDurationTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("+0", 0L)]
    [InlineData("0s", 0L)]
    [InlineData("60s", 600_000_000L)]
    [InlineData("1m30s", 900_000_000L)]
    [InlineData("1h2m3.5s", 37_235_000_000L)]
    [InlineData("1.5h", 54_000_000_000L)]
    [InlineData("500ms", 5_000_000L)]
    [InlineData("300us", 3_000L)]
    [InlineData("300\u00b5s", 3_000L)]
    [InlineData("300\u03bcs", 3_000L)]
    [InlineData("1500ns", 15L)]
    [InlineData("99ns", 0L)] // below TimeSpan's 100 ns tick
    [InlineData(".5s", 5_000_000L)]
    [InlineData("1.s", 10_000_000L)]
    [InlineData("-1m", -600_000_000L)]
    [InlineData("1h1h", 72_000_000_000L)]
    [InlineData("2m1h", 37_200_000_000L)]
    public void Parses_go_durations(string text, long ticks)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromTicks(ticks), d);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("60")]
    [InlineData("s")]
    [InlineData("-")]
    [InlineData(".s")]
    [InlineData("1x")]
    [InlineData("1H")]
    [InlineData("1sec")]
    [InlineData("1h 2m")]
    [InlineData(" 1s")]
    [InlineData("1.2.3s")]
    [InlineData("1s2")]
    [InlineData("3000000h")] // past Go's int64 nanoseconds
    public void Rejects_what_go_rejects(string? text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(600_000_000L, "1m0s")]
    [InlineData(37_235_000_000L, "1h2m3.5s")]
    [InlineData(36_000_000_000L, "1h0m0s")]
    [InlineData(5_000_000L, "500ms")]
    [InlineData(15_000L, "1.5ms")]
    [InlineData(15L, "1.5\u00b5s")]
    [InlineData(5L, "500ns")]
    [InlineData(-900_000_000L, "-1m30s")]
    [InlineData(10_000_000L, "1s")]
    public void Formats_like_go(long ticks, string text)
    {
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromTicks(ticks)));
    }

    [Theory]
    [InlineData("1h2m3.5s")]
    [InlineData("90s")]
    [InlineData("250ms")]
    public void Formatted_durations_parse_back(string text)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.True(GoDuration.TryParse(GoDuration.Format(d), out var back));
        Assert.Equal(d, back);
    }
}
