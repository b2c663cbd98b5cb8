using Kinlet.Cli.Tests.Support;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Commands;

public sealed class RevisionAndRouteCommandTests : IAsyncLifetime
{
    private FakeKinletd daemon = null!;

    public async Task InitializeAsync()
    {
        daemon = await FakeKinletd.StartAsync();
        daemon.Seed(new Service
        {
            Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
            Spec = new ServiceSpec
            {
                Template = new RevisionTemplate { Spec = new RevisionSpec { ContainerConcurrency = 1, Containers = [new Container { Image = "web:2" }] } },
                Traffic =
                [
                    new TrafficTarget { LatestRevision = true, Percent = 10, Tag = "canary" },
                    new TrafficTarget { RevisionName = "web-00000", LatestRevision = false, Percent = 90, Tag = "stable" },
                ],
            },
        });
        daemon.SeedRevision("web", "web-00000", generation: 0);
        daemon.SeedRevision("web", "web-old", generation: -1);
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(daemon, args);

    [Fact]
    public async Task Revision_list_shows_traffic_and_tags_from_the_service_status_newest_first()
    {
        var r = await Run("revision", "list", "--service", "web");

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = CliRunner.Lines(r.Stdout);
        Assert.Matches(@"^NAME\s+SERVICE\s+TRAFFIC\s+TAGS\s+GENERATION\s+AGE\s+READY\s+REASON$", lines[0]);
        Assert.Matches(@"^web-00001\s+web\s+10%\s+canary\s+1\s+\d+s\s+True$", lines[1]);
        Assert.Matches(@"^web-00000\s+web\s+90%\s+stable\s+\d+m\s+True$", lines[2]);
        Assert.Matches(@"^web-old\s+web\s+\d+m\s+True$", lines[3]);
        Assert.Contains(daemon.Requests, q => q.Path.EndsWith("/revisions", StringComparison.Ordinal) && q.Query == "?labelSelector=serving.knative.dev%2Fservice%3Dweb");
    }

    [Fact]
    public async Task Revision_list_with_output_json_prints_the_revision_list()
    {
        var r = await Run("revision", "list", "-o", "json");
        Assert.Contains("\"kind\": \"RevisionList\"", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public async Task Revision_describe_shows_image_instances_and_traffic()
    {
        var r = await Run("revision", "describe", "web-00001");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Service:     web\n", r.Stdout);
        Assert.Contains("Image:       web:2\n", r.Stdout);
        Assert.Contains("Concurrency: 1 per instance\n", r.Stdout);
        Assert.Contains("Instances:   1/1 (ready/desired)\n", r.Stdout);
        Assert.Contains("Traffic:     10%\n", r.Stdout);
        Assert.Contains("Tags:        canary\n", r.Stdout);
    }

    [Fact]
    public async Task Deleting_a_routed_revision_is_a_conflict_with_the_daemons_reason()
    {
        var r = await Run("revision", "delete", "web-00000");
        Assert.Equal(ExitCodes.Conflict, r.ExitCode);
        Assert.Equal("Error: revision \"web-00000\" gets traffic; move its traffic first\n", r.Stderr);
    }

    [Fact]
    public async Task Deleting_an_unrouted_revision_says_so()
    {
        var r = await Run("revision", "delete", "web-old");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Revision 'web-old' deleted in namespace 'default'.\n", r.Stdout);
    }

    [Fact]
    public async Task Route_list_and_describe_show_url_and_traffic()
    {
        var list = await Run("route", "list");
        Assert.Matches($@"web\s+http://web\.localhost:{daemon.Port}\s+\d+m\s+True", list.Stdout);

        var describe = await Run("route", "describe", "web");
        Assert.Contains($"URL:         http://web.localhost:{daemon.Port}\n", describe.Stdout);
        Assert.Matches(@"10%\s+@latest \(web-00001\)\s+canary", describe.Stdout);
        Assert.Matches(@"90%\s+web-00000\s+stable", describe.Stdout);
    }
}
