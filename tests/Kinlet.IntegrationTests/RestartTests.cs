using Kinlet.Core.Model;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

public sealed class RestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_and_restart_adopts_running_containers_without_duplicates()
    {
        await using var daemon = await KinletDaemon.StartAsync();
        var created = await daemon.CliAsync("service", "create", "survivor", "--image", Images.TestFn, "--env", "TARGET=still here");
        Assert.True(created.ExitCode == 0, created.ToString());
        var before = await daemon.ContainersAsync("survivor");
        Assert.Single(before);

        await daemon.KillAsync();
        // The function keeps running while the daemon is gone; a restart takes it back.
        await daemon.RestartAsync();
        output.WriteLine(daemon.Logs);

        var (status, body) = await daemon.GetAsync(daemon.Host("survivor"));
        Assert.Equal(200, status);
        Assert.Equal("Hello still here!", body.Trim());

        // Give the reconciler a few passes: it must neither start a second instance nor drop the adopted one.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await daemon.ContainersAsync("survivor");
        Assert.Single(after);
        Assert.Equal(before[0].Id, after[0].Id);
        Assert.Equal(Kinlet.Containers.ContainerRunState.Running, after[0].State);
    }

    [Fact]
    public async Task Restart_removes_containers_of_revisions_that_no_longer_exist()
    {
        await using var daemon = await KinletDaemon.StartAsync();
        var created = await daemon.CliAsync("service", "create", "stale", "--image", Images.TestFn);
        Assert.True(created.ExitCode == 0, created.ToString());
        await daemon.KillAsync();

        // Remove the service from the store behind the daemon's back: start, delete, kill quickly would race,
        // so use a fresh state dir sharing nothing but the daemon id: its containers are stale by definition.
        foreach (var log in Directory.GetFiles(daemon.StateDir, "kinlet*.db*")) File.Delete(log);
        await daemon.RestartAsync();
        await Eventually.TrueAsync(async () => (await daemon.ContainersAsync("stale")).Count == 0, "stale container removed");
    }
}
