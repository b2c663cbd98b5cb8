using System.Diagnostics;
using Kinlet.Containers;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Faults;

/// <summary>
/// The Docker engine stops and starts again under a running kinletd: requests meanwhile get a clear answer, and
/// once the engine is back kinletd reconnects, sees its instance gone and starts a new one, without a restart of
/// its own. It stops the machine's engine, so test.sh runs it on its own, after every other test
/// (<c>Category=EngineRestart</c>, left out of the main run).
/// </summary>
[Trait("Category", "EngineRestart")]
public sealed class EngineRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kinletd_reconnects_and_reconciles_after_the_engine_restarts()
    {
        await using var daemon = await KinletDaemon.StartAsync();
        try
        {
            var created = await daemon.CliAsync("service", "create", "outlast", "--image", Images.TestFn, "--scale-min", "1");
            Assert.True(created.ExitCode == 0, created.ToString());
            var before = Assert.Single(await daemon.ContainersAsync("outlast"));

            await StopEngineAsync();
            // The engine is gone: a request gets an answer (a 5xx naming the problem, or a timeout of our own), never a hang.
            using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            {
                try
                {
                    var (status, body) = await daemon.GetAsync(daemon.Host("outlast"), "/", bound.Token);
                    output.WriteLine($"engine down: {status} {body.Trim()}");
                    Assert.True(status is 200 or >= 500, $"unexpected {status}");
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail("a request hung while the engine was down");
                }
            }

            await StartEngineAsync();
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return (await daemon.GetAsync(daemon.Host("outlast"))).Status == 200;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the service answers again", TimeSpan.FromSeconds(90));
            var after = (await daemon.ContainersAsync("outlast")).Where(c => c.State == ContainerRunState.Running).ToList();
            Assert.Single(after);
            Assert.NotEqual(before.Id, after[0].Id); // the engine stopped the old one; kinletd started a new one
            Assert.Equal(200, (int)(await daemon.Api.GetAsync("/readyz")).StatusCode);
        }
        finally
        {
            output.WriteLine(daemon.Logs);
            // Whatever happened, leave an engine running for what comes next.
            await StartEngineAsync();
        }
    }

    private static async Task StopEngineAsync()
    {
        if (File.Exists("/proc/1/comm") && (await File.ReadAllTextAsync("/proc/1/comm")).Trim() == "systemd")
        {
            var stopped = await ProcessRunner.RunAsync("systemctl", ["stop", "docker.socket", "docker"]);
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
        }
        else
        {
            var pid = Process.GetProcessesByName("dockerd").Select(p => p.Id).FirstOrDefault();
            Assert.True(pid > 0, "no dockerd process to stop");
            using var dockerd = Process.GetProcessById(pid);
            var term = await ProcessRunner.RunAsync("kill", ["-TERM", pid.ToString()]);
            Assert.True(term.ExitCode == 0, term.ToString());
            await dockerd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await Engine.Runtime.PingAsync(CancellationToken.None);
                return false;
            }
            catch (EngineUnavailableException)
            {
                return true;
            }
        }, "the engine stopped", TimeSpan.FromSeconds(30));
    }

    /// <summary>The way test.sh and install.sh start it (scripts/lib/common.sh ensure_engine).</summary>
    private static async Task StartEngineAsync()
    {
        var script = Path.Combine(RepoPaths.Root(), "scripts", "lib", "common.sh");
        var started = await ProcessRunner.RunAsync("bash", ["-c", $"source '{script}' && ensure_engine"], timeout: TimeSpan.FromMinutes(2));
        Assert.True(started.ExitCode == 0, started.ToString());
        await Engine.EnsureReachableAsync();
    }
}
