using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kinlet.Containers.Docker;
using Kinlet.Eventing;
using Kinlet.Serving;
using Kinlet.Serving.Autoscaler;
using Kinlet.Serving.RevisionGc;

namespace Kinlet.Daemon.Tests;

/// <summary>Settings are checked when kinletd starts: a bad one stops it with exit code 2 and one line naming it.</summary>
public sealed class SettingsValidationTests : IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "kinlet-settings-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Kinletd_with_a_bad_setting_exits_2_with_one_line_naming_it()
    {
        var (exit, stderr) = await RunKinletdAsync("--Kinlet:Autoscaler:TargetConcurrency=-1");
        Assert.Equal(2, exit);
        Assert.Equal("kinletd: Kinlet:Autoscaler:TargetConcurrency must be > 0 (was -1)", stderr.Trim());
    }

    [Fact]
    public async Task Kinletd_reports_every_bad_setting_of_every_layer()
    {
        var (exit, stderr) = await RunKinletdAsync("--Kinlet:Serving:Standby=asleep", "--Kinlet:Eventing:DeliveryParallelism=0",
            "--Kinlet:RevisionGc:Interval=-00:00:01", "--Kinlet:Docker:CallTimeout=00:00:00");
        Assert.Equal(2, exit);
        Assert.Contains("kinletd: Kinlet:Serving:Standby must be one of none, frozen (was \"asleep\")", stderr);
        Assert.Contains("kinletd: Kinlet:Eventing:DeliveryParallelism must be > 0 (was 0)", stderr);
        Assert.Contains("kinletd: Kinlet:RevisionGc:Interval must be > 0 (was -00:00:01)", stderr);
        Assert.Contains("kinletd: Kinlet:Docker:CallTimeout must be > 0 (was 00:00:00)", stderr);
    }

    [Fact]
    public void The_defaults_pass_every_validator()
    {
        Assert.True(new ServingOptionsValidation().Validate(null, new ServingOptions()).Succeeded);
        Assert.True(new AutoscalerOptionsValidation().Validate(null, new AutoscalerOptions()).Succeeded);
        Assert.True(new RevisionGcOptionsValidation().Validate(null, new RevisionGcOptions()).Succeeded);
        Assert.True(new EventingOptionsValidation().Validate(null, new EventingOptions()).Succeeded);
        Assert.True(new DockerRuntimeOptionsValidation().Validate(null, new DockerRuntimeOptions()).Succeeded);
    }

    [Fact]
    public void The_settings_the_tests_and_benches_use_pass()
    {
        // Zero grace and retention windows are how the integration tests and bench/scale.sh run kinletd.
        Assert.True(new AutoscalerOptionsValidation().Validate(null, new AutoscalerOptions { ScaleToZeroGracePeriod = TimeSpan.Zero, StableWindow = TimeSpan.FromSeconds(6), TickInterval = TimeSpan.FromSeconds(1) }).Succeeded);
        Assert.True(new RevisionGcOptionsValidation().Validate(null, new RevisionGcOptions { MinNonActiveRevisions = 0, RetainSinceCreateTime = TimeSpan.Zero, RetainSinceLastActiveTime = TimeSpan.Zero, MaxNonActiveRevisions = -1 }).Succeeded);
        Assert.True(new ServingOptionsValidation().Validate(null, new ServingOptions { DefaultMemoryLimit = "", Standby = "frozen" }).Succeeded);
    }

    [Fact]
    public void Cross_setting_rules_name_both_settings()
    {
        var result = new ServingOptionsValidation().Validate(null, new ServingOptions { RestartBackoffInitial = TimeSpan.FromSeconds(10), RestartBackoffMax = TimeSpan.FromSeconds(1) });
        Assert.Equal("Kinlet:Serving:RestartBackoffMax must be >= Kinlet:Serving:RestartBackoffInitial (00:00:10) (was 00:00:01)", Assert.Single(result.Failures!));
        var scale = new AutoscalerOptionsValidation().Validate(null, new AutoscalerOptions { MinScale = 3, MaxScale = 2 });
        Assert.Equal("Kinlet:Autoscaler:MaxScale must be 0 (no limit) or >= Kinlet:Autoscaler:MinScale (3) (was 2)", Assert.Single(scale.Failures!));
        var docker = new DockerRuntimeOptionsValidation().Validate(null, new DockerRuntimeOptions { DockerHost = "not a uri" });
        Assert.StartsWith("Kinlet:DockerHost must be an engine URI", Assert.Single(docker.Failures!));
    }

    private async Task<(int Exit, string Stderr)> RunKinletdAsync(params string[] settings)
    {
        var kinletd = Path.Combine(AppContext.BaseDirectory, "kinletd.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])[kinletd, "--state-dir", _stateDir, "--api-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--ingress-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--ingress-h2c-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), .. settings])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("kinletd kept running with a bad setting; stdout:\n" + await stdout);
        }
        return (process.ExitCode, await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_stateDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
