using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>Knative's MustEnvVars (PORT is the declared containerPort) and ShouldEnvVars (K_SERVICE, K_CONFIGURATION, K_REVISION).</summary>
public sealed class EnvVarsTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Port_is_the_declared_container_port_and_the_K_variables_name_the_service_configuration_and_revision()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: envvars
            spec:
              template:
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      ports:
                        - containerPort: 8888

            """);
        // The function listens on $PORT: that it answers at all shows the port and the routing agree.
        var (status, body, _) = await Daemon.TryGetAsync("envvars", "/info");
        Assert.True(status == 200, body);
        Output.WriteLine(body);
        var env = JsonDocument.Parse(body).RootElement.GetProperty("env");
        Assert.Equal("8888", env.GetProperty("PORT").GetString());
        Assert.Equal("envvars", env.GetProperty("K_SERVICE").GetString());
        Assert.Equal("envvars", env.GetProperty("K_CONFIGURATION").GetString());
        Assert.Equal("envvars-00001", env.GetProperty("K_REVISION").GetString());
        await Daemon.DeleteServiceAsync(Output, "envvars");
    }
}
