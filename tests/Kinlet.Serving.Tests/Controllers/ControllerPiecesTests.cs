using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Kinlet.Serving.Tests.Fakes;
using Kinlet.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kinlet.Serving.Tests.Controllers;

/// <summary>The service controller's pieces against the real LiteDB store, wired as the daemon wires them.</summary>
public sealed class ControllerPiecesTests
{
    private static Task<ServingCore> StartCoreAsync() =>
        ServingCore.StartAsync(o => o.Autoscaler = a =>
        {
            a.AllowZeroInitialScale = true;
            a.InitialScale = 0;
        });

    private static RouteEntry? Route(ServingCore core, string host) =>
        core.Services.GetRequiredService<Router>().Table.Entries.TryGetValue(host, out var e) ? e : null;

    [Fact]
    public async Task Create_writes_service_configuration_route_and_revision_and_routes_the_host()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("web"));

        Assert.NotNull(core.Store.Get<Service>(Kinds.Service, "default", "web"));
        Assert.NotNull(core.Store.Get<Configuration>(Kinds.Configuration, "default", "web"));
        Assert.NotNull(core.Store.Get<Route>(Kinds.Route, "default", "web"));
        Assert.NotNull(core.Store.Get<Revision>(Kinds.Revision, "default", "web-00001"));
        Assert.Equal(["web-00001"], core.Services.GetRequiredService<ServiceRevisionIndex>().Of("default", "web"));
        var entry = Route(core, ServingCore.HostOf("web"));
        Assert.NotNull(entry);
        Assert.Equal("web-00001", Assert.Single(entry!.Targets).Revision.Key.Name);
        Assert.True(core.Revision("web-00001")!.IsRouted);
    }

    [Fact]
    public async Task A_second_create_of_the_same_name_is_a_conflict_naming_the_field()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("dup"));
        var e = await Assert.ThrowsAsync<ResourceConflictException>(() => core.Controller.CreateAsync(ServingCore.NewService("dup")));
        Assert.Contains("already exists", e.Message);
    }

    [Fact]
    public async Task Replace_with_a_new_template_adds_a_revision_and_moves_the_route()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("web"));
        var changed = ServingCore.NewService("web", image: "fake/hello:2");

        await core.Controller.ReplaceAsync(changed);

        Assert.Equal(["web-00001", "web-00002"], core.Services.GetRequiredService<ServiceRevisionIndex>().Of("default", "web"));
        Assert.Equal("web-00002", Assert.Single(Route(core, ServingCore.HostOf("web"))!.Targets).Revision.Key.Name);
        Assert.False(core.Revision("web-00001")!.IsRouted);
        Assert.Equal(KnownKeys.RoutingStateReserve,
            core.Store.Get<Revision>(Kinds.Revision, "default", "web-00001")!.Metadata.Label(KnownKeys.RoutingStateLabel));
    }

    [Fact]
    public async Task A_status_refresh_rebuilds_only_its_own_service_entries()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("a"));
        core.Create(ServingCore.NewService("b"));
        var before = Route(core, ServingCore.HostOf("b"));

        await core.Services.GetRequiredService<ServingWriteLoop>().RunAsync(
            () => core.Services.GetRequiredService<ServiceStatusRefresher>().Refresh("default", "a"));

        Assert.Same(before, Route(core, ServingCore.HostOf("b")));
        Assert.NotNull(Route(core, ServingCore.HostOf("a")));
    }

    [Fact]
    public async Task Delete_removes_the_resources_the_hosts_and_tells_the_loop()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("gone"));
        var state = core.Revision("gone-00001")!;

        await core.Controller.DeleteAsync("default", "gone", TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Null(core.Store.Get<Service>(Kinds.Service, "default", "gone"));
        Assert.Null(core.Store.Get<Revision>(Kinds.Revision, "default", "gone-00001"));
        Assert.Null(Route(core, ServingCore.HostOf("gone")));
        Assert.Empty(core.Services.GetRequiredService<ServiceRevisionIndex>().Of("default", "gone"));
        Assert.True(state.IsDeleted);
    }

    [Fact]
    public async Task Deleting_the_latest_revision_is_refused()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("keep"));
        await Assert.ThrowsAsync<ResourceConflictException>(() =>
            core.Controller.DeleteRevisionAsync("default", "keep-00001", TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    [Fact]
    public async Task A_reported_failure_lands_in_the_stored_revision_status_and_the_service()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("bad"));
        var recorder = core.Services.GetRequiredService<RevisionStatusRecorder>();
        recorder.RevisionFailed(core.Revision("bad-00001")!, new RevisionFailure("ExitCode3", "boom", DateTimeOffset.UnixEpoch));
        // Posted to the write loop: an item queued after it runs after it.
        await core.Services.GetRequiredService<ServingWriteLoop>().RunAsync(() => true);

        var ready = core.Store.Get<Revision>(Kinds.Revision, "default", "bad-00001")!.Status!.Conditions.Get(ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.False, ready!.Status);
        Assert.Equal("ExitCode3", ready.Reason);
        Assert.Equal(ConditionStatus.False, core.Controller.Get("default", "bad").Status!.Conditions.Get(ConditionTypes.Ready)!.Status);
    }

    [Fact]
    public async Task The_write_loop_runs_items_in_order_returns_results_and_survives_failures()
    {
        using var loop = new ServingWriteLoop(NullLogger<ServingWriteLoop>.Instance);
        var seen = new List<int>();
        loop.Post(() => throw new InvalidOperationException("posted and failing"), "a test item");
        var first = loop.RunAsync(() => { seen.Add(1); return 1; });
        var failing = loop.RunAsync<int>(() => throw new ResourceNotFoundException(Kinds.Service, "x"));
        var third = loop.RunAsync(() => { seen.Add(3); return 3; });

        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => failing);
        Assert.Equal(3, await third);
        Assert.Equal([1, 3], seen);
    }

    [Fact]
    public void The_revision_index_keeps_each_services_revisions_in_name_order()
    {
        var index = new ServiceRevisionIndex();
        Revision Rev(string name, string service) => new()
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default", Labels = new Dictionary<string, string> { [KnownKeys.ServiceLabel] = service } },
        };
        index.Add(Rev("a-00002", "a"));
        index.Add(Rev("a-00001", "a"));
        index.Add(Rev("b-00001", "b"));
        Assert.Equal(["a-00001", "a-00002"], index.Of("default", "a"));
        index.Remove("default", "a", "a-00001");
        Assert.Equal(["a-00002"], index.Of("default", "a"));
        index.RemoveService("default", "b");
        Assert.Empty(index.Of("default", "b"));
        Assert.Empty(index.Of("other", "a"));
    }
}
