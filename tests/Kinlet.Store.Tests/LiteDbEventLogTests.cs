using System.Text;
using Kinlet.Store.Events;

namespace Kinlet.Store.Tests;

public sealed class LiteDbEventLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kinlet-events-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StoredEvent Event(string id, string? data = null) =>
        new(new Dictionary<string, string> { ["specversion"] = "1.0", ["id"] = id, ["source"] = "/t", ["type"] = "t" },
            data is null ? null : Encoding.UTF8.GetBytes(data));

    [Fact]
    public async Task Appends_are_numbered_per_broker_and_read_back_in_order()
    {
        await using var log = LiteDbEventLog.Open(_dir);
        var first = await log.AppendAsync("default", "a", [Event("1", "{\"x\":1}"), Event("2")], CancellationToken.None);
        Assert.Equal(new long[] { 1, 2 }, first);
        var other = await log.AppendAsync("default", "b", [Event("b1")], CancellationToken.None);
        Assert.Equal(new long[] { 1 }, other);
        var third = await log.AppendAsync("default", "a", [Event("3")], CancellationToken.None);
        Assert.Equal(new long[] { 3 }, third);

        var events = log.Read("default", "a", 0, 10);
        Assert.Equal(new long[] { 1, 2, 3 }, events.Select(e => e.Sequence));
        Assert.Equal(["1", "2", "3"], events.Select(e => e.Attributes["id"]));
        Assert.Equal("{\"x\":1}", Encoding.UTF8.GetString(events[0].Data!));
        Assert.Null(events[1].Data);
        Assert.Equal(["3"], log.Read("default", "a", 2, 10).Select(e => e.Attributes["id"]));
        Assert.Single(log.Read("default", "b", 0, 10));
        Assert.Empty(log.Read("other", "a", 0, 10));
        Assert.Equal(3, log.LastSequence("default", "a"));
    }

    [Fact]
    public async Task Concurrent_appends_get_distinct_gapless_sequences()
    {
        await using var log = LiteDbEventLog.Open(_dir);
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => log.AppendAsync("default", "busy", [Event($"e{i}"), Event($"f{i}")], CancellationToken.None))));
        var all = results.SelectMany(r => r).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), all);
        // The two events of one append are stored together, one after the other.
        Assert.All(results, r => Assert.Equal(r[0] + 1, r[1]));
        Assert.Equal(400, log.Read("default", "busy", 0, 1000).Count);
    }

    [Fact]
    public async Task Events_survive_a_reopen_and_numbering_continues()
    {
        await using (var log = LiteDbEventLog.Open(_dir))
            await log.AppendAsync("default", "a", [Event("1"), Event("2")], CancellationToken.None);
        await using (var log = LiteDbEventLog.Open(_dir))
        {
            Assert.Equal(2, log.LastSequence("default", "a"));
            var third = await log.AppendAsync("default", "a", [Event("3")], CancellationToken.None);
        Assert.Equal(new long[] { 3 }, third);
            Assert.Equal(["1", "2", "3"], log.Read("default", "a", 0, 10).Select(e => e.Attributes["id"]));
        }
    }

    [Fact]
    public async Task Prune_removes_only_up_to_the_sequence_and_never_reuses_numbers()
    {
        await using var log = LiteDbEventLog.Open(_dir);
        await log.AppendAsync("default", "a", [Event("1"), Event("2"), Event("3")], CancellationToken.None);
        await log.AppendAsync("default", "b", [Event("b1")], CancellationToken.None);
        Assert.Equal(2, log.Prune("default", "a", 2));
        Assert.Equal(["3"], log.Read("default", "a", 0, 10).Select(e => e.Attributes["id"]));
        Assert.Single(log.Read("default", "b", 0, 10));
        var fourth = await log.AppendAsync("default", "a", [Event("4")], CancellationToken.None);
        Assert.Equal(new long[] { 4 }, fourth);
    }

    [Fact]
    public async Task Pruning_a_whole_log_then_reopening_keeps_numbering_going()
    {
        await using (var log = LiteDbEventLog.Open(_dir))
        {
            await log.AppendAsync("default", "a", [Event("1"), Event("2")], CancellationToken.None);
            Assert.Equal(2, log.Prune("default", "a", long.MaxValue));
            Assert.Equal(0, log.FirstSequence("default", "a"));
        }
        await using (var log = LiteDbEventLog.Open(_dir))
        {
            Assert.Equal(2, log.LastSequence("default", "a"));
            Assert.Equal(new long[] { 3 }, await log.AppendAsync("default", "a", [Event("3")], CancellationToken.None));
            Assert.Equal(3, log.FirstSequence("default", "a"));
        }
    }

    [Fact]
    public async Task Prune_by_age_leaves_younger_events()
    {
        await using var log = LiteDbEventLog.Open(_dir);
        await log.AppendAsync("default", "a", [Event("1")], CancellationToken.None);
        Assert.Equal(0, log.Prune("default", "a", long.MaxValue, DateTimeOffset.UtcNow.AddMinutes(-1)));
        Assert.Equal(1, log.Prune("default", "a", long.MaxValue, DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Delivery_state_round_trips_and_is_forgotten_with_its_trigger()
    {
        await using (var store = LiteDbEventLog.Open(_dir))
        {
            var at = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
            await store.SaveCheckpointAsync("default/t", new TriggerCheckpoint("uid-1", 7, [9, 11], 5, 1, 2, "boom", at), CancellationToken.None);
            var attrs = new Dictionary<string, string> { ["id"] = "e8", ["type"] = "t" };
            await store.PutRecordAsync(new DeliveryRecord("default/t", 8, attrs, [1, 2], DeliveryRecordState.Retrying, 2, at, 503, "HTTP 503"), CancellationToken.None);
            await store.PutRecordAsync(new DeliveryRecord("default/t", 10, attrs, null, DeliveryRecordState.Failed, 3, at, 400, "HTTP 400"), CancellationToken.None);
            await store.PutRecordAsync(new DeliveryRecord("default/t2", 1, attrs, null, DeliveryRecordState.Failed, 1, at, null, "x"), CancellationToken.None);
            await store.SaveMarkAsync("ping/default/p", at, CancellationToken.None);
        }
        await using (var store = LiteDbEventLog.Open(_dir))
        {
            var cp = store.LoadCheckpoint("default/t")!;
            Assert.Equal(("uid-1", 7L, 5L, 1L, 2L, "boom"), (cp.Uid, cp.Cursor, cp.Delivered, cp.DeadLettered, cp.Failed, cp.LastError));
            Assert.Equal(new long[] { 9, 11 }, cp.Done);
            var records = store.ListRecords("default/t", null, 10);
            Assert.Equal(new long[] { 8, 10 }, records.Select(r => r.Sequence));
            Assert.Equal(DeliveryRecordState.Retrying, records[0].State);
            Assert.Equal(new byte[] { 1, 2 }, records[0].Data);
            Assert.Equal(503, records[0].LastStatus);
            Assert.Equal("e8", records[0].Attributes["id"]);
            Assert.Equal(1, store.CountRecords("default/t", DeliveryRecordState.Failed));
            Assert.Single(store.ListRecords("default/t", DeliveryRecordState.Retrying, 10));
            Assert.Equal(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero), store.LoadMark("ping/default/p"));

            await store.DeleteTriggerAsync("default/t", CancellationToken.None);
            Assert.Null(store.LoadCheckpoint("default/t"));
            Assert.Empty(store.ListRecords("default/t", null, 10));
            Assert.Single(store.ListRecords("default/t2", null, 10)); // another trigger's records stay
            await store.DeleteMarkAsync("ping/default/p", CancellationToken.None);
            Assert.Null(store.LoadMark("ping/default/p"));
        }
    }
}
