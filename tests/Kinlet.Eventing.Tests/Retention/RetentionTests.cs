using Kinlet.Core.Model;
using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Dispatcher;
using Kinlet.Eventing.Retention;
using Kinlet.Store;
using Kinlet.Store.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Tests.Retention;

public sealed class RetentionPolicyTests
{
    [Theory]
    // first, last, finished, max → through, onlyOld, undeliveredOverCap
    [InlineData(0, 0, 0, 100, 0, false, 0)]          // empty log
    [InlineData(1, 10, 10, 100, 10, true, 0)]        // all finished, under the cap: by age
    [InlineData(1, 10, 4, 100, 4, true, 0)]          // a trigger is at 4: nothing after it
    [InlineData(5, 10, 4, 100, 0, true, 0)]          // everything left is unfinished
    [InlineData(1, 150, 150, 100, 50, false, 0)]     // over the cap, all finished: the oldest 50 go, whatever their age
    [InlineData(1, 150, 120, 100, 50, false, 0)]
    [InlineData(1, 150, 30, 100, 30, false, 20)]     // over the cap, only 30 finished: 20 undelivered kept over the cap
    [InlineData(31, 150, 30, 100, 0, true, 20)]
    [InlineData(1, 10, 20, 100, 10, true, 0)]        // a cursor past the end is clamped
    public void Decides_what_may_go(long first, long last, long finished, long max, long through, bool onlyOld, long over)
    {
        var d = RetentionPolicy.Decide(first, last, finished, max);
        Assert.Equal(through, d.ThroughSequence);
        if (through > 0) Assert.Equal(onlyOld, d.OnlyOlderThanCutoff);
        Assert.Equal(over, d.UndeliveredOverCap);
    }
}

/// <summary>The retention service over real LiteDB stores: only what every trigger has finished with goes.</summary>
public sealed class RetentionServiceTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kinlet-retention-").FullName;
    private readonly LiteDbEventLog _log;
    private readonly LiteDbResourceStore _store;

    public RetentionServiceTests()
    {
        _log = LiteDbEventLog.Open(_dir);
        _store = LiteDbResourceStore.Open(_dir);
    }

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static StoredEvent Event(int i) => new(new Dictionary<string, string> { ["specversion"] = "1.0", ["id"] = $"e{i}", ["source"] = "/t", ["type"] = "t" }, null);

    [Fact]
    public async Task Prunes_what_every_trigger_finished_and_keeps_the_rest()
    {
        var options = Options.Create(new EventingOptions { RetentionAge = TimeSpan.Zero, RetentionMaxEvents = 1000 });
        var brokers = new BrokerController(_store, _log, options, TimeProvider.System, new EventingChanges());
        brokers.Apply(new Broker { Metadata = new ObjectMeta { Name = "b" } }, "default");
        await _log.AppendAsync("default", "b", [.. Enumerable.Range(1, 10).Select(Event)], CancellationToken.None);
        foreach (var (name, uid, cursor) in new[] { ("fast", "u1", 10L), ("slow", "u2", 6L) })
        {
            _store.Put(Kinds.Trigger, "default", name, new Trigger { Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = uid }, Spec = new TriggerSpec { Broker = "b" } });
            await _log.SaveCheckpointAsync("default/" + name, new TriggerCheckpoint(uid, cursor, [], 0, 0, 0, null, null), CancellationToken.None);
        }
        var retention = new RetentionService(_store, brokers, _log, _log, new TriggerCounters(_log, _log), options, TimeProvider.System, NullLogger<RetentionService>.Instance);

        await Task.Delay(20); // the events are older than the (zero) retention age
        Assert.Equal(6, retention.PruneOnce());
        Assert.Equal(7, _log.FirstSequence("default", "b"));
        Assert.Equal(0, retention.PruneOnce());

        // Deleting the broker drops its log; numbering goes on.
        brokers.Delete("default", "b");
        Assert.Equal(0, _log.FirstSequence("default", "b"));
        Assert.Equal(10, _log.LastSequence("default", "b"));
    }

    [Fact]
    public async Task A_young_log_is_kept_until_it_is_old_enough()
    {
        var options = Options.Create(new EventingOptions { RetentionAge = TimeSpan.FromHours(1) });
        var brokers = new BrokerController(_store, _log, options, TimeProvider.System, new EventingChanges());
        brokers.Apply(new Broker { Metadata = new ObjectMeta { Name = "young" } }, "default");
        await _log.AppendAsync("default", "young", [Event(1), Event(2)], CancellationToken.None);
        var retention = new RetentionService(_store, brokers, _log, _log, new TriggerCounters(_log, _log), options, TimeProvider.System, NullLogger<RetentionService>.Instance);
        Assert.Equal(0, retention.PruneOnce());
        Assert.Equal(1, _log.FirstSequence("default", "young"));
    }
}
