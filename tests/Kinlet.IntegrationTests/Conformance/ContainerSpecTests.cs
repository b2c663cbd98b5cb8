using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>Knative's CmdArgs, WorkingDir, RunAsUser and CustomResourcesLimits.</summary>
public sealed class ContainerSpecTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Command_args_working_dir_and_run_as_user_are_honoured()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: shape
            spec:
              template:
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      command: ["dotnet", "/app/testfn.dll"]
                      args: ["--kinlet-arg", "value"]
                      workingDir: /tmp
                      securityContext:
                        runAsUser: 65532

            """);
        var (status, body, _) = await Daemon.TryGetAsync("shape", "/info");
        Assert.True(status == 200, body);
        Output.WriteLine(body);
        var info = JsonDocument.Parse(body).RootElement;
        Assert.Equal("/tmp", info.GetProperty("cwd").GetString());
        Assert.Equal(65532u, info.GetProperty("uid").GetUInt32());
        // .NET's command line: the assembly the command named, then the args, in order.
        var args = info.GetProperty("args").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Equal(["/app/testfn.dll", "--kinlet-arg", "value"], args);
        await Daemon.DeleteServiceAsync(Output, "shape");
    }

    [Fact]
    public async Task A_350Mi_memory_limit_lets_100MB_through_and_stops_500MB()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: limits
            spec:
              template:
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      resources:
                        limits:
                          memory: 350Mi

            """);
        var small = await Daemon.TryGetAsync("limits", "/alloc?mb=100");
        Assert.True(small.Status == 200, $"100 MB: {small.Status} {small.Body}");

        // The kernel OOM-kills the container in the middle of the request: the daemon answers for it.
        var (status, body, _) = await Daemon.TryGetAsync("limits", "/alloc?mb=500");
        Output.WriteLine($"500 MB: {status} {body}");
        Assert.True(status is 502 or 503, $"500 MB over a 350Mi limit: expected 502 or 503, got {status} {body}");
        await Daemon.DeleteServiceAsync(Output, "limits");
    }
}
