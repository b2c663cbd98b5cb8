using Kinlet.Core.Model;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;

namespace Kinlet.Serving.Tests.Routing;

public sealed class RouteTableBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static Service Svc(string name, string ns) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, Generation = 1 },
        Spec = new ServiceSpec { Template = new RevisionTemplate { Spec = new RevisionSpec { Containers = [new Container { Image = "x" }] } } },
    };

    private static Revision Rev(string name, string service, string ns) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name, Namespace = ns,
            Labels = new() { [KnownKeys.ServiceLabel] = service, [KnownKeys.ConfigurationGenerationLabel] = "1" },
        },
        Status = new RevisionStatus { Conditions = [new Condition { Type = ConditionTypes.Ready, Status = ConditionStatus.True }] },
    };

    private static ServiceStatusBuilder.Result Result(string name, string ns, Revision? revision) =>
        ServiceStatusBuilder.Build(Svc(name, ns),
            new Configuration { Metadata = new ObjectMeta { Name = name }, Status = new ConfigurationStatus { LatestCreatedRevisionName = revision?.Metadata.Name } },
            revision is null ? [] : [revision], "localhost", 8080, Now);

    private static (RouteTableBuilder Builder, Router Router, RevisionRegistry Registry) Create()
    {
        var registry = new RevisionRegistry();
        var router = new Router();
        return (new RouteTableBuilder(router, registry, Microsoft.Extensions.Options.Options.Create(new ServingOptions { Domain = "localhost" })), router, registry);
    }

    [Fact]
    public void Update_publishes_the_service_hosts_with_its_revision_and_the_default_namespace_alias()
    {
        var (builder, router, registry) = Create();
        var rev = Rev("web-00001", "web", "default");
        var state = registry.GetOrAdd(rev);

        builder.Update("default", "web", Result("web", "default", rev), publish: true);

        Assert.True(router.Table.TryResolve("web.localhost", out var entry));
        Assert.Same(state, entry!.Pick());
        Assert.True(router.Table.TryResolve("web.default.localhost", out var alias));
        Assert.Same(entry, alias);
    }

    [Fact]
    public void A_service_without_a_revision_routes_to_an_unavailable_entry()
    {
        var (builder, router, _) = Create();
        builder.Update("default", "web", Result("web", "default", null), publish: true);

        Assert.True(router.Table.TryResolve("web.localhost", out var entry));
        Assert.Null(entry!.Pick());
        Assert.Contains("has no revision", entry.UnavailableReason);
    }

    [Fact]
    public void Update_without_publish_keeps_the_old_snapshot_until_Publish()
    {
        var (builder, router, _) = Create();
        var before = router.Table;
        builder.Update("default", "web", Result("web", "default", null), publish: false);
        Assert.Same(before, router.Table);

        builder.Publish();
        Assert.NotSame(before, router.Table);
        Assert.True(router.Table.TryResolve("web.localhost", out _));
    }

    [Fact]
    public void Remove_drops_only_that_service_and_leaves_the_old_snapshot_untouched()
    {
        var (builder, router, _) = Create();
        builder.Update("default", "web", Result("web", "default", null), publish: true);
        builder.Update("team", "api", Result("api", "team", null), publish: true);
        var withBoth = router.Table;

        builder.Remove("default", "web");

        Assert.False(router.Table.TryResolve("web.localhost", out _));
        Assert.True(router.Table.TryResolve("api.team.localhost", out _));
        // Snapshots are swapped whole: a reader holding the old one still sees both.
        Assert.True(withBoth.TryResolve("web.localhost", out _));
    }
}
