using Kinlet.Cli.Commands.Logs;
using Kinlet.Cli.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Cli.Tests.Commands;

public sealed class LogsCommandTests : IAsyncLifetime
{
    private FakeKinletd daemon = null!;

    private const string LogsPath = "/apis/serving.knative.dev/v1/namespaces/default/services/web/logs";

    private const string Stream = """
        {"time":"2026-01-01T00:00:00.0000000Z","revision":"web-00001","source":"kinletd","line":"revision web-00001 scaled 0 → 1"}
        {"time":"2026-01-01T00:00:01.0000000Z","instance":"web-00001-3f2a","revision":"web-00001","stream":"stdout","source":"instance","line":"listening on 8080"}
        {"time":"2026-01-01T00:00:02.0000000Z","instance":"web-00001-3f2a","revision":"web-00001","stream":"stderr","source":"instance","line":"oops"}

        """;

    public async Task InitializeAsync()
    {
        daemon = await FakeKinletd.StartAsync();
        daemon.Intercept = async ctx =>
        {
            if (ctx.Request.Path.Value?.EndsWith("/logs", StringComparison.Ordinal) != true) return false;
            if (ctx.Request.Path != LogsPath)
            {
                ctx.Response.StatusCode = 404;
                await ctx.Response.WriteAsync("""{"error":"service \"nope\" not found"}""");
                return true;
            }
            ctx.Response.ContentType = "application/x-ndjson";
            await ctx.Response.WriteAsync(Stream.Replace("\r\n", "\n", StringComparison.Ordinal));
            return true;
        };
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [Fact]
    public async Task Logs_print_each_line_with_its_instance_or_kinletd_as_prefix()
    {
        var r = await CliRunner.RunAsync(daemon, "logs", "web");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("kinletd | revision web-00001 scaled 0 → 1\nweb-00001-3f2a | listening on 8080\nweb-00001-3f2a | oops\n",
            r.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public async Task Options_become_the_query_and_json_output_is_the_daemons_ndjson()
    {
        var r = await CliRunner.RunAsync(daemon, "logs", "web", "-f", "--revision", "web-00001", "--since", "5m", "--tail", "10", "-o", "json");

        Assert.True(r.ExitCode == 0, r.ToString());
        var request = Assert.Single(daemon.Calls("GET", LogsPath));
        Assert.Equal("?follow=true&revision=web-00001&since=300&tail=10", request.Query);
        Assert.Equal("Bearer " + FakeKinletd.Token, request.Authorization);
        Assert.Equal(Stream.Replace("\r\n", "\n", StringComparison.Ordinal).Trim().Split('\n'), CliRunner.Lines(r.Stdout));
    }

    [Fact]
    public async Task An_unknown_service_is_one_error_line()
    {
        var r = await CliRunner.RunAsync(daemon, "logs", "nope");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("not found", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task A_bad_since_is_a_usage_error()
    {
        var r = await CliRunner.RunAsync(daemon, "logs", "web", "--since", "5 minutes");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--since", r.Stderr);
        Assert.Empty(daemon.Calls("GET", LogsPath));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5s", 2)]
    [InlineData("500ms", 1)]
    public void Since_takes_go_durations_in_whole_seconds(string text, long seconds) =>
        Assert.Equal(seconds, LogsVerb.ParseSince(text));

    [Theory]
    [InlineData("5")]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("5 minutes")]
    [InlineData("")]
    public void Since_refuses_what_is_not_a_positive_duration(string text)
    {
        var e = Assert.Throws<CliException>(() => LogsVerb.ParseSince(text));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public void Without_colour_lines_are_plain_and_multi_line_text_keeps_its_prefix()
    {
        var f = new LogLineFormatter(colour: false);

        Assert.Equal(["web-00001-3f2a | a", "web-00001-3f2a | b"],
            f.Format("""{"instance":"web-00001-3f2a","source":"instance","line":"a\nb"}"""));
        Assert.Equal(["kinletd | instance web-00001-3f2a ready"],
            f.Format("""{"instance":"web-00001-3f2a","source":"kinletd","line":"instance web-00001-3f2a ready"}"""));
        Assert.Empty(f.Format("not json"));
    }

    [Fact]
    public void With_colour_each_instance_keeps_one_colour_and_kinletd_is_dim_yellow()
    {
        var f = new LogLineFormatter(colour: true);

        var first = f.Format("""{"instance":"web-00001-3f2a","source":"instance","line":"x"}""")[0];
        var again = f.Format("""{"instance":"web-00001-3f2a","source":"instance","line":"y"}""")[0];
        Assert.StartsWith(LogLineFormatter.ColourOf("web-00001-3f2a") + "web-00001-3f2a\u001b[0m | ", first);
        Assert.Equal(first[..first.IndexOf('|', StringComparison.Ordinal)], again[..again.IndexOf('|', StringComparison.Ordinal)]);
        Assert.Equal("\u001b[2;33mkinletd | revision web-00001 ready\u001b[0m",
            f.Format("""{"source":"kinletd","line":"revision web-00001 ready"}""")[0]);
    }

    [Fact]
    public void Colour_only_on_a_terminal_without_no_color()
    {
        static CliHost Host(bool terminal, string? noColor) =>
            new(TextWriter.Null, TextWriter.Null, new Dictionary<string, string?> { ["NO_COLOR"] = noColor }) { StdoutIsTerminal = terminal };

        Assert.True(LogsVerb.UseColour(Host(terminal: true, noColor: null)));
        Assert.False(LogsVerb.UseColour(Host(terminal: false, noColor: null)));
        Assert.False(LogsVerb.UseColour(Host(terminal: true, noColor: "1")));
    }
}
