using Kinlet.Core.Model;
using Kinlet.Serving.Controllers;

namespace Kinlet.Serving.Tests;

public sealed class ServiceStatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static Service Svc(List<TrafficTarget>? traffic = null) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Generation = 3 },
        Spec = new ServiceSpec { Traffic = traffic, Template = new RevisionTemplate { Spec = new RevisionSpec { Containers = [new Container { Image = "x" }] } } },
    };

    private static Configuration Config(string latestCreated) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Generation = 2 },
        Status = new ConfigurationStatus { LatestCreatedRevisionName = latestCreated },
    };

    private static Revision Rev(string name, int gen, string? ready) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name, Namespace = "default",
            Labels = new() { [KnownKeys.ServiceLabel] = "web", [KnownKeys.ConfigurationGenerationLabel] = gen.ToString() },
        },
        Status = new RevisionStatus
        {
            Conditions = ready is null ? [] : [new Condition { Type = ConditionTypes.Ready, Status = ready, Reason = ready == "False" ? "ExitCode1" : null, Message = "crashed" }],
        },
    };

    private static ServiceStatusBuilder.Result Build(Service s, string latestCreated, params Revision[] revs) =>
        ServiceStatusBuilder.Build(s, Config(latestCreated), revs, "localhost", 8080, Now);

    [Fact]
    public void New_service_waits_for_its_first_revision_and_holds_requests_for_it()
    {
        var r = Build(Svc(), "web-00001", Rev("web-00001", 1, "Unknown"));
        Assert.Equal(ConditionStatus.Unknown, r.Service.Status!.Conditions.Get(ConditionTypes.Ready)!.Status);
        Assert.Null(r.Service.Status.LatestReadyRevisionName);
        Assert.Equal([("web-00001", 100)], r.MainTargets);
        Assert.Contains("web-00001", r.RoutedRevisions);
        Assert.Equal("http://web.localhost:8080", r.Service.Status.Url);
        Assert.Equal(3, r.Service.Status.ObservedGeneration);
    }

    [Fact]
    public void Ready_revision_makes_the_service_ready()
    {
        var r = Build(Svc(), "web-00001", Rev("web-00001", 1, "True"));
        Assert.True(r.Service.Status!.Conditions.IsTrue(ConditionTypes.Ready));
        Assert.True(r.Service.Status.Conditions.IsTrue(ConditionTypes.ConfigurationsReady));
        Assert.True(r.Service.Status.Conditions.IsTrue(ConditionTypes.RoutesReady));
        Assert.Equal("web-00001", r.Service.Status.LatestReadyRevisionName);
        Assert.Equal("web-00001", r.Service.Status.Traffic![0].RevisionName);
    }

    [Fact]
    public void Traffic_stays_on_the_old_revision_until_the_new_one_is_ready()
    {
        var r = Build(Svc(), "web-00002", Rev("web-00001", 1, "True"), Rev("web-00002", 2, "Unknown"));
        Assert.Equal([("web-00001", 100)], r.MainTargets);
        Assert.Equal(ConditionStatus.Unknown, r.Service.Status!.Conditions.Get(ConditionTypes.Ready)!.Status);
        Assert.Equal("web-00002", r.LatestCreatedRevisionName);
        Assert.DoesNotContain("web-00002", r.RoutedRevisions);
    }

    [Fact]
    public void Failed_new_revision_makes_the_service_not_ready_but_keeps_serving_the_old_one()
    {
        var r = Build(Svc(), "web-00002", Rev("web-00001", 1, "True"), Rev("web-00002", 2, "False"));
        var ready = r.Service.Status!.Conditions.Get(ConditionTypes.Ready)!;
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.Equal("RevisionFailed", ready.Reason);
        Assert.Contains("web-00002", ready.Message);
        Assert.Equal([("web-00001", 100)], r.MainTargets);
    }

    [Fact]
    public void Split_and_tags_resolve_to_revisions_with_tag_urls()
    {
        var svc = Svc([
            new TrafficTarget { RevisionName = "web-00001", Percent = 90, Tag = "stable" },
            new TrafficTarget { LatestRevision = true, Percent = 10, Tag = "canary" },
        ]);
        var r = Build(svc, "web-00002", Rev("web-00001", 1, "True"), Rev("web-00002", 2, "True"));
        Assert.Equal([("web-00001", 90), ("web-00002", 10)], r.MainTargets);
        Assert.Equal([("stable", "web-00001"), ("canary", "web-00002")], r.TagTargets);
        Assert.Equal("http://canary-web.localhost:8080", r.Service.Status!.Traffic![1].Url);
        Assert.True(r.Service.Status.Conditions.IsTrue(ConditionTypes.Ready));
    }

    [Fact]
    public void Tagged_zero_percent_revision_is_still_routed()
    {
        var svc = Svc([
            new TrafficTarget { LatestRevision = true, Percent = 100 },
            new TrafficTarget { RevisionName = "web-00001", Percent = 0, Tag = "old" },
        ]);
        var r = Build(svc, "web-00002", Rev("web-00001", 1, "True"), Rev("web-00002", 2, "True"));
        Assert.Contains("web-00001", r.RoutedRevisions);
        Assert.DoesNotContain(r.MainTargets, t => t.Revision == "web-00001");
    }

    [Fact]
    public void Recomputing_an_unchanged_status_reports_no_change()
    {
        var svc = Svc();
        var first = Build(svc, "web-00001", Rev("web-00001", 1, "True"));
        Assert.True(first.ServiceChanged);
        var second = ServiceStatusBuilder.Build(first.Service, Config("web-00001"), [Rev("web-00001", 1, "True")], "localhost", 8080, Now.AddMinutes(1));
        Assert.False(second.ServiceChanged);
    }

    [Fact]
    public void Other_namespaces_get_namespaced_urls()
    {
        var svc = Svc();
        svc.Metadata.Namespace = "team";
        var r = ServiceStatusBuilder.Build(svc, Config("web-00001"), [Rev("web-00001", 1, "True")], "example.com", 80, Now);
        Assert.Equal("http://web.team.example.com", r.Service.Status!.Url);
    }
}
