using Kinlet.Containers;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>
/// Frozen standby (<c>kinlet.dev/standby: frozen</c>): at zero the last instance is paused, not removed; a request
/// unpauses the same container; a daemon restart keeps it; a new revision or a delete removes it.
/// </summary>
public sealed class StandbyTests(ITestOutputHelper output)
{
    private static readonly string[] FastZero =
    [
        "--Kinlet:Autoscaler:StableWindow", "00:00:06",
        "--Kinlet:Autoscaler:ScaleToZeroGracePeriod", "00:00:01",
        "--Kinlet:Autoscaler:TickInterval", "00:00:00.500",
    ];

    [Fact]
    public async Task A_frozen_standby_is_paused_at_zero_woken_by_a_request_kept_across_a_restart_and_removed_with_its_revision()
    {
        await using var daemon = await KinletDaemon.StartAsync(null, FastZero);
        try
        {
            var created = await daemon.CliAsync("service", "create", "fz", "--image", Images.TestFn, "--annotation", "kinlet.dev/standby=frozen");
            Assert.True(created.ExitCode == 0, created.ToString());
            var first = Assert.Single(await daemon.ContainersAsync("fz"));

            // At zero: the same container, paused.
            var paused = await PausedAsync(daemon, "fz");
            Assert.Equal(first.Id, paused.Id);

            // A request unpauses it: no new container, the same process answers.
            var (status, body) = await daemon.GetAsync(daemon.Host("fz"));
            Assert.Equal(200, status);
            Assert.Equal("Hello World!", body.Trim());
            var woken = Assert.Single(await daemon.ContainersAsync("fz"));
            Assert.Equal(first.Id, woken.Id);
            Assert.Equal(ContainerRunState.Running, woken.State);
            Assert.Contains("unpaused from frozen standby", (await daemon.CliAsync("logs", "fz")).Stdout);

            // kill -9 while frozen: the restarted daemon keeps the paused container as the standby and wakes it.
            await PausedAsync(daemon, "fz");
            await daemon.KillAsync();
            await daemon.RestartAsync();
            Assert.Equal(200, (await daemon.GetAsync(daemon.Host("fz"))).Status);
            Assert.Equal(first.Id, Assert.Single(await daemon.ContainersAsync("fz")).Id);

            // A new revision takes the traffic: the old revision's container goes, the new one freezes in its turn.
            var updated = await daemon.CliAsync("service", "update", "fz", "--env", "TARGET=v2");
            Assert.True(updated.ExitCode == 0, updated.ToString());
            var next = await PausedAsync(daemon, "fz");
            Assert.NotEqual(first.Id, next.Id);
            Assert.Equal("Hello v2!", (await daemon.GetAsync(daemon.Host("fz"))).Body.Trim());

            // Deleting the service removes the standby too.
            await PausedAsync(daemon, "fz");
            Assert.Equal(0, (await daemon.CliAsync("service", "delete", "fz")).ExitCode);
            await Eventually.TrueAsync(async () => (await daemon.ContainersAsync("fz")).Count == 0, "no container left", TimeSpan.FromSeconds(30));
        }
        finally
        {
            output.WriteLine(daemon.Logs);
        }
    }

    [Fact]
    public async Task With_precreate_at_zero_a_created_container_waits_and_the_next_cold_start_starts_it()
    {
        await using var daemon = await KinletDaemon.StartAsync(null, [.. FastZero, "--Kinlet:Serving:PrecreateAtZero", "true"]);
        try
        {
            var created = await daemon.CliAsync("service", "create", "pc", "--image", Images.TestFn);
            Assert.True(created.ExitCode == 0, created.ToString());

            // At zero: one container, created and never started.
            ContainerInfo? waiting = null;
            await Eventually.TrueAsync(async () =>
            {
                var all = await daemon.ContainersAsync("pc");
                waiting = all.Count == 1 && all[0].State == ContainerRunState.Created ? all[0] : null;
                return waiting is not null;
            }, "a pre-created container at zero", TimeSpan.FromSeconds(40));

            // The cold start starts that very container.
            var (status, body) = await daemon.GetAsync(daemon.Host("pc"));
            Assert.Equal(200, status);
            Assert.Equal("Hello World!", body.Trim());
            var running = Assert.Single(await daemon.ContainersAsync("pc"));
            Assert.Equal(waiting!.Id, running.Id);
            Assert.Equal(ContainerRunState.Running, running.State);

            // Removed behind kinletd's back while waiting: the next cold start creates one as usual.
            await Eventually.TrueAsync(async () => (await daemon.ContainersAsync("pc")) is [{ State: ContainerRunState.Created }],
                "pre-created again at zero", TimeSpan.FromSeconds(40));
            var again = Assert.Single(await daemon.ContainersAsync("pc"));
            Assert.Equal(0, (await ProcessRunner.RunAsync("docker", ["rm", again.Id])).ExitCode);
            Assert.Equal(200, (await daemon.GetAsync(daemon.Host("pc"))).Status);

            // A delete removes whatever waits.
            Assert.Equal(0, (await daemon.CliAsync("service", "delete", "pc")).ExitCode);
            await Eventually.TrueAsync(async () => (await daemon.ContainersAsync("pc")).Count == 0, "no container left", TimeSpan.FromSeconds(30));
        }
        finally
        {
            output.WriteLine(daemon.Logs);
        }
    }

    [Fact]
    public async Task A_bad_standby_value_is_refused_naming_the_annotation()
    {
        await using var daemon = await KinletDaemon.StartAsync();
        var refused = await daemon.CliAsync("service", "create", "fzbad", "--image", Images.TestFn, "--annotation", "kinlet.dev/standby=warm");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("kinlet.dev/standby", refused.Stderr);
        Assert.Contains("\"frozen\" or \"none\"", refused.Stderr);
    }

    /// <summary>Waits until the service's only container is paused (the revision went to zero) and returns it.</summary>
    private static async Task<ContainerInfo> PausedAsync(KinletDaemon daemon, string service)
    {
        ContainerInfo? found = null;
        await Eventually.TrueAsync(async () =>
        {
            var all = await daemon.ContainersAsync(service);
            found = all.Count == 1 && all[0].State == ContainerRunState.Paused ? all[0] : null;
            return found is not null;
        }, $"{service} frozen at zero", TimeSpan.FromSeconds(40));
        return found!;
    }
}
