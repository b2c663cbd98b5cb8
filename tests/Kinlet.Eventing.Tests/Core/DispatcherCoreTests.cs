using Kinlet.Core.Model;
using Kinlet.Store.Events;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Eventing.Tests.Core;

/// <summary>
/// The stateful eventing core (DispatcherService, TriggerDispatcher and its parts, EventSender) through
/// AddKinletEventing() with an in-memory log and a real HTTP subscriber. Outcomes only; no timing in any assert.
/// </summary>
public sealed class DispatcherCoreTests
{
    [Fact]
    public async Task Delivers_each_event_and_commits_the_cursor_past_it()
    {
        await using var core = new EventingCore();
        await core.StartAsync();
        await using var sub = await Subscriber.StartAsync(core.Time);
        await core.ApplyAsync(sub.Url + "/sub");

        await core.PublishAsync("e1", "e2", "e3");

        await core.Until(() => core.Log.LoadCheckpoint("default/t")?.Cursor == 3 && core.Dispatcher()!.Counts().Delivered == 3);
        Assert.Equal(["e1", "e2", "e3"], sub.At("/sub").Select(a => a.Id).Order());
        var counts = core.Dispatcher()!.Counts();
        Assert.Equal(0, counts.Backlog);
        Assert.Equal(0, counts.Retrying);
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_after_the_policys_backoff_then_delivered_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T12:00:00Z"));
        await using var core = new EventingCore(clock);
        await core.StartAsync();
        await using var sub = await Subscriber.StartAsync(clock);
        var failures = 2;
        sub.Answer = (_, _) => Task.FromResult(Interlocked.Decrement(ref failures) >= 0 ? 503 : 202);
        await core.ApplyAsync(sub.Url + "/sub", new DeliverySpec { Retry = 5, BackoffPolicy = "exponential", BackoffDelay = "PT10S" });

        await core.PublishAsync("e1");

        await core.Until(() => core.Dispatcher()!.Counts().Delivered == 1, step: TimeSpan.FromSeconds(1));
        var attempts = sub.At("/sub");
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("e1", a.Id));
        // Exponential from 10 s on the injected clock: the second attempt no sooner than 10 s after the first, the third 20 s after that.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(10));
        Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromSeconds(20));
        Assert.Equal(0, core.Dispatcher()!.Counts().Retrying);
        Assert.Empty(core.Log.ListRecords("default/t", null, 10));
    }

    [Fact]
    public async Task Retries_of_several_events_go_out_earliest_due_first()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T12:00:00Z"));
        await using var core = new EventingCore(clock);
        await core.StartAsync();
        await using var sub = await Subscriber.StartAsync(clock);
        sub.Answer = (_, _) => Task.FromResult(500);
        await core.ApplyAsync(sub.Url + "/sub", new DeliverySpec { Retry = 1, BackoffPolicy = "linear", BackoffDelay = "PT5S" });

        await core.PublishAsync("e1");
        await core.Until(() => core.Dispatcher()!.Counts().Retrying == 1);
        clock.Advance(TimeSpan.FromSeconds(2));
        await core.PublishAsync("e2");
        await core.Until(() => core.Dispatcher()!.Counts().Retrying == 2);

        await core.Until(() => core.Dispatcher()!.Counts().Failed == 2, step: TimeSpan.FromSeconds(1));
        Assert.Equal(["e1", "e2", "e1", "e2"], sub.At("/sub").Select(a => a.Id));
    }

    [Fact]
    public async Task After_the_last_retry_the_event_goes_to_the_dead_letter_sink_with_the_error_extensions()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T12:00:00Z"));
        await using var core = new EventingCore(clock);
        await core.StartAsync();
        await using var sub = await Subscriber.StartAsync(clock);
        sub.Answer = (r, _) => Task.FromResult(r.Path == "/dls" ? 202 : 500);
        await core.ApplyAsync(sub.Url + "/sub", new DeliverySpec
        {
            Retry = 2, BackoffPolicy = "linear", BackoffDelay = "PT1S", DeadLetterSink = new Destination { Uri = sub.Url + "/dls" },
        });

        await core.PublishAsync("e1");

        await core.Until(() => core.Dispatcher()!.Counts().DeadLettered == 1, step: TimeSpan.FromSeconds(1));
        Assert.Equal(3, sub.At("/sub").Count);
        var dead = Assert.Single(sub.At("/dls"));
        Assert.Equal("e1", dead.Id);
        Assert.Equal(sub.Url + "/sub", dead.Headers["ce-knativeerrordest"].ToString());
        var counts = core.Dispatcher()!.Counts();
        Assert.Equal(0, counts.Retrying);
        Assert.Equal(0, counts.Failed);
        Assert.Empty(core.Log.ListRecords("default/t", null, 10));
    }

    [Fact]
    public async Task Without_a_dead_letter_sink_the_event_is_kept_as_failed_and_can_be_redriven()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T12:00:00Z"));
        await using var core = new EventingCore(clock);
        await core.StartAsync();
        await using var sub = await Subscriber.StartAsync(clock);
        var healthy = false;
        sub.Answer = (_, _) => Task.FromResult(Volatile.Read(ref healthy) ? 202 : 500);
        await core.ApplyAsync(sub.Url + "/sub", new DeliverySpec { Retry = 1, BackoffPolicy = "linear", BackoffDelay = "PT1S" });

        await core.PublishAsync("e1");
        await core.Until(() => core.Dispatcher()!.Counts().Failed == 1, step: TimeSpan.FromSeconds(1));
        Assert.Equal("e1", Assert.Single(core.Dispatcher()!.Failed(10)).Attributes["id"]);

        Volatile.Write(ref healthy, true);
        Assert.Equal(1, await core.Dispatcher()!.RedriveAsync(CancellationToken.None));
        await core.Until(() => core.Dispatcher()!.Counts().Delivered == 1, step: TimeSpan.FromSeconds(1));
        Assert.Equal(0, core.Dispatcher()!.Counts().Failed);
    }

    [Fact]
    public async Task Killed_mid_delivery_and_rebuilt_nothing_is_lost_and_only_the_in_flight_event_repeats()
    {
        await using var core = new EventingCore();
        await core.StartAsync();
        await using var sub = await Subscriber.StartAsync(core.Time);
        var hold = new TaskCompletionSource();
        sub.Answer = async (r, ct) =>
        {
            // e3 stays in flight until the dispatcher is torn down (its request is aborted then).
            if (r.Id == "e3" && !hold.Task.IsCompleted) await Task.Delay(Timeout.Infinite, ct);
            return 202;
        };
        await core.ApplyAsync(sub.Url + "/sub");
        await core.PublishAsync("e1", "e2", "e3", "e4", "e5");
        await core.Until(() => sub.At("/sub").Select(a => a.Id).Distinct().Count() == 5 && core.Dispatcher()!.Counts().Delivered == 4);

        hold.SetResult();
        await core.RestartAsync();
        await core.PublishAsync("e6");

        await core.Until(() => core.Dispatcher()?.Counts().Delivered == 6 && core.Log.LoadCheckpoint("default/t")?.Cursor == 6);
        var ids = sub.At("/sub").Select(a => a.Id).ToList();
        Assert.Equal(["e1", "e2", "e3", "e4", "e5", "e6"], ids.Distinct().Order());
        Assert.All(ids.GroupBy(i => i).Where(g => g.Count() > 1), g => Assert.Equal("e3", g.Key));
    }

    [Fact]
    public async Task A_deleted_trigger_stops_and_its_delivery_state_goes()
    {
        await using var core = new EventingCore();
        await core.StartAsync();
        await using var sub = await Subscriber.StartAsync(core.Time);
        await core.ApplyAsync(sub.Url + "/sub");
        await core.PublishAsync("e1");
        await core.Until(() => core.Log.LoadCheckpoint("default/t")?.Cursor == 1);

        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Kinlet.Eventing.Controllers.TriggerController>(core.Services).Delete("default", "t");

        await core.Until(() => core.Dispatcher() is null && core.Log.LoadCheckpoint("default/t") is null);
    }
}
