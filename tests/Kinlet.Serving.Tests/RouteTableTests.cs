using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;

namespace Kinlet.Serving.Tests;

public sealed class RouteTableTests
{
    private static (RouteTable Table, RevisionState A, RevisionState B) Table()
    {
        var a = InstanceStateTests.Revision(name: "web-00001");
        var b = InstanceStateTests.Revision(name: "web-00002");
        var split = new RouteEntry("default", "web", null, [new RouteTarget(a, 90, 90), new RouteTarget(b, 10, 100)], null);
        var canary = new RouteEntry("default", "web", "canary", [new RouteTarget(b, 100, 100)], null);
        return (new RouteTable(new Dictionary<string, RouteEntry>
        {
            ["web.localhost"] = split,
            ["canary-web.localhost"] = canary,
        }, "localhost"), a, b);
    }

    [Theory]
    [InlineData("web.localhost")]
    [InlineData("web.localhost:8080")]
    [InlineData("WEB.LocalHost:8080")]
    [InlineData("web.localhost.")]
    public void Resolves_host_ignoring_port_case_and_trailing_dot(string host)
    {
        Assert.True(Table().Table.TryResolve(host, out var entry));
        Assert.Equal("web", entry!.Service);
        Assert.Null(entry.Tag);
    }

    [Fact]
    public void Tag_host_reaches_only_its_revision()
    {
        var (table, _, b) = Table();
        Assert.True(table.TryResolve("canary-web.localhost:8080", out var entry));
        for (var i = 0; i < 100; i++) Assert.Same(b, entry!.Pick());
    }

    [Fact]
    public void Split_follows_the_percentages()
    {
        var (table, a, _) = Table();
        table.TryResolve("web.localhost", out var entry);
        var toA = Enumerable.Range(0, 10_000).Count(_ => ReferenceEquals(entry!.Pick(), a));
        Assert.InRange(toA, 8_500, 9_500);
    }

    [Theory]
    [InlineData("nosuch.localhost:8080", true)]
    [InlineData("a.b.localhost", true)]
    [InlineData("localhost:8080", false)]
    [InlineData("127.0.0.1:8080", false)]
    [InlineData("[::1]:8080", false)]
    [InlineData("example.com", false)]
    public void Service_hosts_are_the_ones_under_the_domain(string host, bool isService) =>
        Assert.Equal(isService, Table().Table.IsServiceHost(host));

    [Fact]
    public void Unknown_host_does_not_resolve() => Assert.False(Table().Table.TryResolve("nosuch.localhost", out _));

    [Fact]
    public void Router_swaps_tables_whole()
    {
        var router = new Router();
        Assert.Same(RouteTable.Empty, router.Table);
        var (table, _, _) = Table();
        router.Publish(table);
        Assert.Same(table, router.Table);
    }
}
