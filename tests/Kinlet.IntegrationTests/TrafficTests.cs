using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

public sealed class TrafficTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Split_and_tags_route_by_percent_and_by_tag_host_then_roll_back_without_a_new_revision()
    {
        Assert.Equal(0, (await Cli("service", "create", "web", "--image", Images.TestFn, "--env", "TARGET=v1")).ExitCode);
        var update = await Cli("service", "update", "web", "--env", "TARGET=v2",
            "--traffic", "web-00001=50", "--traffic", "@latest=50", "--tag", "web-00001=stable", "--tag", "@latest=canary");
        Assert.True(update.ExitCode == 0, update.ToString());

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("Hello v1!", (await Daemon.GetAsync($"stable-web.localhost:{Daemon.IngressPort}")).Body.Trim());
            Assert.Equal("Hello v2!", (await Daemon.GetAsync($"canary-web.localhost:{Daemon.IngressPort}")).Body.Trim());
        }

        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 200; i++)
        {
            var body = (await Daemon.GetAsync(Daemon.Host("web"))).Body.Trim();
            counts[body] = counts.GetValueOrDefault(body) + 1;
        }
        Output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.True(counts.GetValueOrDefault("Hello v1!") >= 50, "v1 got its share");
        Assert.True(counts.GetValueOrDefault("Hello v2!") >= 50, "v2 got its share");

        var rollback = await Cli("service", "update", "web", "--traffic", "web-00001=100");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        for (var i = 0; i < 20; i++)
            Assert.Equal("Hello v1!", (await Daemon.GetAsync(Daemon.Host("web"))).Body.Trim());
        var service = KinletJson.Deserialize<Service>(await Daemon.Api.GetStringAsync("/apis/serving.knative.dev/v1/namespaces/default/services/web"))!;
        Assert.Equal("web-00002", service.Status!.LatestCreatedRevisionName);

        var revisions = await Cli("revision", "list", "--service", "web");
        Assert.Contains("web-00001", revisions.Stdout);
        Assert.Contains("web-00002", revisions.Stdout);
    }

    [Fact]
    public async Task Hello_sample_applies_and_answers()
    {
        var sample = Path.Combine(RepoPaths.Root(), "samples", "hello", "service.yaml");
        var apply = await Cli("apply", "-f", sample);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal("Hello World!", (await Daemon.GetAsync(Daemon.Host("hello"))).Body.Trim());
    }
}
