using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Core.Tests.Serving;

public class TrafficPlannerTests
{
    private static TrafficPlan Plan(List<TrafficTarget>? traffic, string? latestReady, string? latestCreated = null, string? ns = null, int port = 8080) =>
        TrafficPlanner.Plan("web", ns, traffic, latestReady, latestCreated ?? latestReady, "localhost", port);

    private static TrafficTarget Pinned(string revision, long percent, string? tag = null) =>
        new() { RevisionName = revision, Percent = percent, Tag = tag };

    private static TrafficTarget Latest(long percent, string? tag = null) =>
        new() { LatestRevision = true, Percent = percent, Tag = tag };

    [Fact]
    public void No_traffic_means_all_of_it_to_the_latest_ready_revision()
    {
        foreach (var traffic in new List<TrafficTarget>?[] { null, [] })
        {
            var plan = Plan(traffic, "web-00002");

            var target = Assert.Single(plan.Targets);
            Assert.Equal(new PlannedTarget("web-00002", 100, null, true, null), target);
            Assert.True(plan.AllTrafficAssigned);
            Assert.Null(plan.Message);
            Assert.Equal(new Dictionary<string, long> { ["web-00002"] = 100 }, plan.Weights);
        }
    }

    [Fact]
    public void Latest_revision_target_resolves_to_latest_ready()
    {
        var plan = Plan([Latest(100)], latestReady: "web-00001", latestCreated: "web-00002");

        Assert.Equal("web-00001", plan.Targets[0].RevisionName);
        Assert.True(plan.AllTrafficAssigned);
    }

    [Fact]
    public void A_new_revision_is_pending_until_it_is_ready()
    {
        var plan = Plan(null, latestReady: "web-00001", latestCreated: "web-00002");

        Assert.Equal("web-00002", plan.PendingRevision);
        Assert.Null(Plan(null, "web-00002", "web-00002").PendingRevision);
    }

    [Fact]
    public void Pinned_traffic_has_no_pending_revision()
    {
        var plan = Plan([Pinned("web-00001", 100)], latestReady: "web-00001", latestCreated: "web-00002");

        Assert.Null(plan.PendingRevision);
    }

    [Fact]
    public void Latest_revision_target_is_unassigned_while_no_revision_is_ready()
    {
        var plan = Plan(null, latestReady: null, latestCreated: "web-00001");

        Assert.Null(plan.Targets[0].RevisionName);
        Assert.False(plan.AllTrafficAssigned);
        Assert.Contains("\"web-00001\" is not ready", plan.Message, StringComparison.Ordinal);
        Assert.Empty(plan.Weights);
        Assert.Empty(plan.RoutedRevisions);
    }

    [Fact]
    public void Says_when_no_revision_exists_yet()
    {
        var plan = Plan(null, latestReady: null, latestCreated: null);

        Assert.Contains("no revision yet", plan.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pinned_targets_resolve_even_before_anything_is_ready()
    {
        var plan = Plan([Pinned("web-00001", 100)], latestReady: null);

        Assert.True(plan.AllTrafficAssigned);
        Assert.Equal(["web-00001"], plan.RoutedRevisions);
    }

    [Fact]
    public void Splits_between_a_pinned_and_the_latest_revision()
    {
        var plan = Plan([Pinned("web-00001", 90, "stable"), Latest(10, "canary")], "web-00002");

        Assert.Equal(
        [
            new PlannedTarget("web-00001", 90, "stable", false, "http://stable-web.localhost:8080"),
            new PlannedTarget("web-00002", 10, "canary", true, "http://canary-web.localhost:8080"),
        ], plan.Targets);
        Assert.Equal(new Dictionary<string, long> { ["web-00001"] = 90, ["web-00002"] = 10 }, plan.Weights);
        Assert.Equal(new Dictionary<string, string> { ["stable"] = "web-00001", ["canary"] = "web-00002" }, plan.Tags);
    }

    [Fact]
    public void Targets_naming_one_revision_add_up()
    {
        var plan = Plan([Pinned("web-00001", 30, "a"), Pinned("web-00001", 20, "b"), Latest(50)], "web-00001");

        Assert.Equal(new Dictionary<string, long> { ["web-00001"] = 100 }, plan.Weights);
        Assert.Equal(["web-00001"], plan.RoutedRevisions);
    }

    [Fact]
    public void A_tag_only_target_is_routed_without_a_share()
    {
        var plan = Plan([Pinned("web-00001", 100), Latest(0, "next")], "web-00002");

        Assert.Equal(new Dictionary<string, long> { ["web-00001"] = 100 }, plan.Weights);
        Assert.Equal(new HashSet<string> { "web-00001", "web-00002" }, plan.RoutedRevisions);
        Assert.Equal("web-00002", plan.Tags["next"]);
    }

    [Fact]
    public void Status_traffic_lists_every_target_with_urls_on_tagged_ones()
    {
        var status = Plan([Pinned("web-00001", 90, "stable"), Latest(10)], "web-00002").StatusTraffic();

        Assert.Equal(2, status.Count);
        Assert.Equal(("stable", "web-00001", false, 90L, "http://stable-web.localhost:8080"),
            (status[0].Tag, status[0].RevisionName, status[0].LatestRevision, status[0].Percent, status[0].Url));
        Assert.Equal((null, "web-00002", true, 10L, null),
            (status[1].Tag, status[1].RevisionName, status[1].LatestRevision, status[1].Percent, status[1].Url));
    }

    [Fact]
    public void Tag_urls_follow_the_namespace_and_port()
    {
        var plan = Plan([Latest(100, "v2")], "web-00001", ns: "team-a", port: 80);

        Assert.Equal("http://v2-web.team-a.localhost", plan.Targets[0].Url);
    }

    [Fact]
    public void A_missing_percent_counts_as_zero()
    {
        var plan = Plan([new TrafficTarget { RevisionName = "web-00001", Tag = "old" }, Latest(100)], "web-00002");

        Assert.Equal(0, plan.Targets[0].Percent);
    }

    [Fact]
    public void Plans_from_a_service()
    {
        var service = TestManifests.Parse(TestManifests.Full);

        var plan = TrafficPlanner.Plan(service, "shop-v2", "shop-v2", "example.com", 443);

        Assert.Equal(["shop-v1", "shop-v2", "shop-v0"], plan.Targets.Select(t => t.RevisionName));
        Assert.Equal("http://canary-shop.staging.example.com:443", plan.Targets[1].Url);
    }

    [Fact]
    public void The_default_traffic_is_a_fresh_list_each_time()
    {
        var a = TrafficPlanner.DefaultTraffic;
        a[0].Percent = 5;

        Assert.Equal(100, TrafficPlanner.DefaultTraffic[0].Percent);
    }

    [Theory]
    [InlineData("hello", "default", "localhost", 8080, "http://hello.localhost:8080")]
    [InlineData("hello", null, "localhost", 8080, "http://hello.localhost:8080")]
    [InlineData("hello", "", "localhost", 8080, "http://hello.localhost:8080")]
    [InlineData("hello", "team-a", "localhost", 8080, "http://hello.team-a.localhost:8080")]
    [InlineData("hello", "default", "example.com", 80, "http://hello.example.com")]
    [InlineData("hello", "prod", "fn.example.com", 80, "http://hello.prod.fn.example.com")]
    [InlineData("hello", "default", "127.0.0.1.sslip.io", 9000, "http://hello.127.0.0.1.sslip.io:9000")]
    public void Service_urls(string name, string? ns, string domain, int port, string url) =>
        Assert.Equal(url, TrafficPlanner.ServiceUrl(name, ns, domain, port));

    [Theory]
    [InlineData("canary", "web", "default", "canary-web.localhost")]
    [InlineData("canary", "web", "team-a", "canary-web.team-a.localhost")]
    public void Tag_hosts(string tag, string name, string ns, string host) =>
        Assert.Equal(host, TrafficPlanner.TagHost(tag, name, ns, "localhost"));
}
