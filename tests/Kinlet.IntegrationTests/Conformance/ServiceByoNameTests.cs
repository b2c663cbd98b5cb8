using System.Text;
using System.Text.Json;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>Knative's ServiceBYOName: a revision named in template.metadata.name; reusing the name for a changed template is refused.</summary>
public sealed class ServiceByoNameTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string ServicePath = "/apis/serving.knative.dev/v1/namespaces/default/services/byo";

    [Fact]
    public async Task A_custom_revision_name_is_used_and_reusing_it_with_a_new_image_gets_a_4xx_naming_the_field()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: byo
            spec:
              template:
                metadata:
                  name: byo-byo
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest

            """);
        var service = KinletJson.Deserialize<Service>(await Daemon.Api.GetStringAsync(ServicePath))!;
        Assert.Equal("byo-byo", service.Status!.LatestCreatedRevisionName);
        Assert.Equal("byo-byo", service.Status.LatestReadyRevisionName);
        var (status, body, _) = await Daemon.TryGetAsync("byo", "/info");
        Assert.True(status == 200, body);
        Assert.Equal("byo-byo", JsonDocument.Parse(body).RootElement.GetProperty("env").GetProperty("K_REVISION").GetString());

        // Same name, new image: the control API refuses it with a 4xx naming the field.
        const string reuse = """
            {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"byo"},
             "spec":{"template":{"metadata":{"name":"byo-byo"},"spec":{"containers":[{"image":"kinlet.local/hello:latest"}]}}}}
            """;
        using (var response = await Daemon.Api.PutAsync(ServicePath, new StringContent(reuse, Encoding.UTF8, "application/json")))
        {
            var error = await response.Content.ReadAsStringAsync();
            Output.WriteLine($"PUT same name, new image: {(int)response.StatusCode} {error}");
            Assert.InRange((int)response.StatusCode, 400, 499);
            var json = JsonDocument.Parse(error).RootElement;
            Assert.Equal("spec.template.metadata.name", json.GetProperty("field").GetString());
            Assert.Contains("byo-byo", json.GetProperty("error").GetString());
        }

        // The CLI says so too, in one line naming the revision.
        var cli = await Cli("service", "update", "byo", "--image", Images.Hello, "--revision-name", "byo-byo");
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("byo-byo", cli.Stderr);

        // Nothing changed: the named revision still serves.
        service = KinletJson.Deserialize<Service>(await Daemon.Api.GetStringAsync(ServicePath))!;
        Assert.Equal("byo-byo", service.Status!.LatestCreatedRevisionName);
        Assert.Equal(200, (await Daemon.TryGetAsync("byo", "/")).Status);
        await Daemon.DeleteServiceAsync(Output, "byo");
    }
}
