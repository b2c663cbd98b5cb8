using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>Knative's CmdArgs, WorkingDir, RunAsUser, MustEnvVars (declared port) and CustomResourcesLimits.</summary>
public sealed class ContainerSpecTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Command_args_working_dir_run_as_user_and_port_are_honoured()
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
                      ports:
                        - containerPort: 8888

            """);
        var (status, body, _) = await Daemon.TryGetAsync("shape", "/info");
        Assert.True(status == 200, body);
        var info = JsonDocument.Parse(body).RootElement;
        Assert.Equal("/tmp", info.GetProperty("cwd").GetString());
        Assert.Equal(65532u, info.GetProperty("uid").GetUInt32());
        var args = info.GetProperty("args").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Contains("--kinlet-arg", args);
        Assert.Contains("value", args);

        var env = JsonDocument.Parse((await Daemon.TryGetAsync("shape", "/env")).Body).RootElement;
        Assert.Equal("8888", env.GetProperty("PORT").GetString());
        await Cli("service", "delete", "shape");
    }

    [Fact]
    public async Task A_memory_limit_lets_100MB_through_and_stops_500MB()
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
        Assert.Equal(200, (await Daemon.TryGetAsync("limits", "/bloat?mb=100")).Status);
        var (status, body, _) = await Daemon.TryGetAsync("limits", "/bloat?mb=500");
        Output.WriteLine($"500 MB: {status} {body}");
        Assert.NotEqual(200, status);
        await Cli("service", "delete", "limits");
    }
}
