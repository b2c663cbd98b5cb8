using System.Diagnostics;
using Kinlet.Core.Model;
using Kinlet.Serving.Forwarding;
using Kinlet.Serving.Protocols;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Serving.Tests.Protocols;

/// <summary>The drain rules of an upgraded request, on fake time: nothing happens while routed, a close frame after the period once retired.</summary>
[Collection(nameof(RequestDeadlinePool))]
public sealed class UpgradedConnectionTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private static readonly Revision Spec = new()
    {
        Metadata = new ObjectMeta { Name = "ws-00001", Namespace = "default", Labels = new() { [KnownKeys.ServiceLabel] = "ws" } },
        Spec = new RevisionSpec { TimeoutSeconds = 300, Containers = [new Container { Image = "x" }] },
    };

    private sealed class FakeUpgrade(Stream client) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => true;
        public Task<Stream> UpgradeAsync() => Task.FromResult(client);
    }

    private sealed record Setup(FakeTimeProvider Time, ReconcileQueue Queue, RevisionState Revision, InstanceState Instance, HttpContext Context,
        UpgradedConnection Connection, RequestDeadline Deadline, MemoryStream Client);

    private static Setup Start(bool webSocket = true)
    {
        var time = new FakeTimeProvider();
        var queue = new ReconcileQueue(new RevisionRegistry());
        var revision = queue.Observe(Spec, routed: true, latestCreated: true);
        var instance = new InstanceState("ws-00001-a", revision);
        var context = new DefaultHttpContext();
        if (webSocket) context.Request.Headers.Upgrade = "websocket";
        var client = new MemoryStream();
        context.Features.Set<IHttpUpgradeFeature>(new FakeUpgrade(client));
        var deadline = RequestDeadline.Rent(revision, Stopwatch.GetTimestamp());
        var drain = new UpgradeDrain(Options.Create(new ServingOptions { UpgradeDrainPeriod = Period }), time);
        var connection = drain.Begin(context, revision, instance, deadline)!;
        return new Setup(time, queue, revision, instance, context, connection, deadline, client);
    }

    [Fact]
    public void An_ordinary_request_is_not_followed()
    {
        var queue = new ReconcileQueue(new RevisionRegistry());
        var revision = queue.Observe(Spec, routed: true, latestCreated: true);
        var deadline = RequestDeadline.Rent(revision, Stopwatch.GetTimestamp());
        var drain = new UpgradeDrain(Options.Create(new ServingOptions()), TimeProvider.System);
        Assert.Null(drain.Begin(new DefaultHttpContext(), revision, new InstanceState("i", revision), deadline));
        deadline.Return();
    }

    [Fact]
    public async Task A_websocket_on_a_retired_revision_gets_a_close_frame_after_the_drain_period()
    {
        var s = Start();
        var stream = await s.Context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        Assert.IsType<CloseFrameStream>(stream);
        Assert.Equal(1, s.Revision.Upgrades.Count);

        s.Time.Advance(Period * 2);
        Assert.Equal(0, s.Client.Length);

        s.Queue.Observe(Spec, routed: false, latestCreated: false);
        s.Time.Advance(Period - TimeSpan.FromSeconds(1));
        Assert.False(s.Connection.Draining);
        s.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(s.Connection.Draining);
        await Eventually(() => s.Client.Length > 0);
        Assert.Equal(WebSocketFrameTracker.CloseFrame(1001, "revision retired"), s.Client.ToArray());
        // Then the forwarder's token ends the copy once the grace has passed (a real timer on the deadline).
        await Eventually(() => s.Deadline.IsCancellationRequested, UpgradedConnection.CloseGrace * 5);

        UpgradeDrain.End(s.Context, s.Connection);
        Assert.IsType<FakeUpgrade>(s.Context.Features.Get<IHttpUpgradeFeature>());
        Assert.Equal(0, s.Revision.Upgrades.Count);
        s.Deadline.Return();
    }

    [Fact]
    public async Task A_websocket_on_an_instance_that_begins_to_stop_gets_its_close_frame_too()
    {
        var s = Start();
        await s.Context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        _ = s.Instance.BeginDrain();
        s.Time.Advance(Period);
        await Eventually(() => s.Client.Length > 0);
        Assert.Equal(WebSocketFrameTracker.CloseFrame(1001, "revision retired"), s.Client.ToArray());
        UpgradeDrain.End(s.Context, s.Connection);
        s.Deadline.Return();
    }

    [Fact]
    public async Task Routed_again_within_the_period_the_socket_stays()
    {
        var s = Start();
        await s.Context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        s.Queue.Observe(Spec, routed: false, latestCreated: false);
        s.Time.Advance(Period / 2);
        s.Queue.Observe(Spec, routed: true, latestCreated: true);
        s.Time.Advance(Period * 2);
        Assert.False(s.Connection.Draining);
        Assert.Equal(0, s.Client.Length);
        UpgradeDrain.End(s.Context, s.Connection);
        s.Deadline.Return();
    }

    [Fact]
    public async Task Nothing_touches_a_request_that_ended()
    {
        var s = Start();
        await s.Context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        s.Queue.Observe(Spec, routed: false, latestCreated: false);
        UpgradeDrain.End(s.Context, s.Connection);
        s.Time.Advance(Period * 2);
        Assert.False(s.Connection.Draining);
        Assert.False(s.Deadline.IsCancellationRequested);
        s.Deadline.Return();
    }

    [Fact]
    public async Task An_upgrade_that_is_not_a_websocket_is_cut_without_a_frame()
    {
        var s = Start(webSocket: false);
        var stream = await s.Context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        Assert.IsType<MemoryStream>(stream);
        s.Queue.Observe(Spec, routed: false, latestCreated: false);
        s.Time.Advance(Period);
        await Eventually(() => s.Deadline.IsCancellationRequested);
        Assert.Equal(0, s.Client.Length);
        UpgradeDrain.End(s.Context, s.Connection);
        s.Deadline.Return();
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("condition not met in time");
            await Task.Delay(10);
        }
    }
}
