using System.Text;
using Kinlet.Containers.Docker;

namespace Kinlet.Containers.Tests.Unit;

public sealed class LogLineSplitterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Lines_carry_the_engines_timestamp_with_nanoseconds_cut_to_ticks()
    {
        var s = new LogLineSplitter(() => Now);
        var lines = s.Add(LogStream.Stdout, B("2026-03-04T05:06:07.123456789Z hello world\n"));

        var line = Assert.Single(lines);
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567), line.Time);
        Assert.Equal("hello world", line.Text);
        Assert.Equal(LogStream.Stdout, line.Stream);
    }

    [Fact]
    public void A_line_split_across_frames_and_a_character_split_across_frames_come_out_whole()
    {
        var s = new LogLineSplitter(() => Now);
        var bytes = B("2026-03-04T05:06:07.5Z caf\u00e9 ok\r\n2026-03-04T05:06:08Z next\n");
        var split = Array.IndexOf(bytes, (byte)0xC3) + 1; // inside "é"

        Assert.Empty(s.Add(LogStream.Stdout, bytes.AsSpan(0, split)));
        var lines = s.Add(LogStream.Stdout, bytes.AsSpan(split));

        Assert.Equal(["caf\u00e9 ok", "next"], lines.Select(l => l.Text));
    }

    [Fact]
    public void Stdout_and_stderr_keep_separate_partial_lines()
    {
        var s = new LogLineSplitter(() => Now);
        Assert.Empty(s.Add(LogStream.Stdout, B("2026-03-04T05:06:07Z out ")));
        var err = Assert.Single(s.Add(LogStream.Stderr, B("2026-03-04T05:06:08Z err\n")));
        var @out = Assert.Single(s.Add(LogStream.Stdout, B("more\n")));

        Assert.Equal(("err", LogStream.Stderr), (err.Text, err.Stream));
        Assert.Equal(("out more", LogStream.Stdout), (@out.Text, @out.Stream));
    }

    [Fact]
    public void A_last_line_without_newline_is_flushed_and_a_line_without_timestamp_takes_the_previous_time()
    {
        var s = new LogLineSplitter(() => Now);
        var first = Assert.Single(s.Add(LogStream.Stdout, B("2026-03-04T05:06:07Z a\nno time here")));
        var last = Assert.Single(s.Flush());

        Assert.Equal("no time here", last.Text);
        Assert.Equal(first.Time, last.Time);
        Assert.Equal(Now, Assert.Single(new LogLineSplitter(() => Now).Add(LogStream.Stdout, B("plain\n"))).Time);
    }

    [Fact]
    public void A_line_over_the_bound_is_cut()
    {
        var s = new LogLineSplitter(() => Now);
        Assert.Single(s.Add(LogStream.Stdout, B(new string('x', LogLineSplitter.MaxLineBytes))));
        Assert.Empty(s.Add(LogStream.Stdout, B(new string('y', 10))));

        Assert.Equal(new string('y', 10), Assert.Single(s.Flush()).Text);
    }
}
