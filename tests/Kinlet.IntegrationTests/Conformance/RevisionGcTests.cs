using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>Revision GC collects what nothing routes to, never a routed or the latest revision.</summary>
public sealed class RevisionGcTests(FastAutoscalerFixture fixture, ITestOutputHelper output) : IClassFixture<FastAutoscalerFixture>
{
    private async Task<ProcessResult> Cli(params string[] args)
    {
        var result = await fixture.Daemon.CliAsync(args);
        output.WriteLine($"$ kinlet {string.Join(' ', args)}\n{result}");
        return result;
    }

    [Fact]
    public async Task Collects_unrouted_revisions_and_keeps_the_routed_and_the_latest()
    {
        Assert.Equal(0, (await Cli("service", "create", "gc", "--image", Images.TestFn, "--env", "TARGET=v1")).ExitCode);
        Assert.Equal(0, (await Cli("service", "update", "gc", "--env", "TARGET=v2")).ExitCode);
        Assert.Equal(0, (await Cli("service", "update", "gc", "--env", "TARGET=v3", "--traffic", "gc-00002=100")).ExitCode);

        await Eventually.TrueAsync(async () => !(await Cli("revision", "list", "--service", "gc")).Stdout.Contains("gc-00001"),
            "gc-00001 to be collected", TimeSpan.FromSeconds(60));
        var list = (await Cli("revision", "list", "--service", "gc")).Stdout;
        Assert.Contains("gc-00002", list);
        Assert.Contains("gc-00003", list);
        Assert.Equal("Hello v2!\n", (await fixture.Daemon.TryGetAsync("gc", "/")).Body);
        await Cli("service", "delete", "gc");
    }
}
