using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using LiteDB;

namespace Kinlet.Store.Events;

/// <summary>
/// Event logs in their own LiteDB file (<c>events.db</c>), one document per event keyed
/// <c>{namespace}/{broker}/{sequence:D19}</c> so a broker's events are one ordered range of the primary index.
/// The triggers' delivery state lives in the same file. Every write goes through a single writer that commits
/// whatever has queued up as one transaction (group commit): many concurrent requests share one disk flush, and
/// each caller's task completes after that commit.
/// </summary>
public sealed partial class LiteDbEventLog : IEventLog, IDeliveryStore, IAsyncDisposable
{
    private const string Collection = "events";
    private const int MaxBatchOps = 2048;

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _events;
    // The last sequence of each broker, kept apart from the events so pruning a whole log never makes
    // numbers start again at 1 (triggers remember positions by number).
    private readonly ILiteCollection<BsonDocument> _heads;
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, long> _last = new(StringComparer.Ordinal);
    private readonly Task _writer;
    private readonly TimeProvider _time;

    /// <summary>One queued write: applied inside the group's transaction, completed after its commit.</summary>
    private abstract class WriteOp
    {
        public abstract int Weight { get; }
        public abstract void Apply(LiteDbEventLog log, Dictionary<string, long> next, DateTime now);
        public abstract void Complete();
        public abstract void Fail(Exception e);
    }

    private sealed class AppendOp(string stream, IReadOnlyList<StoredEvent> events) : WriteOp
    {
        private long[] _ids = [];
        public readonly TaskCompletionSource<long[]> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override int Weight => events.Count;

        public override void Apply(LiteDbEventLog log, Dictionary<string, long> next, DateTime now)
        {
            if (!next.TryGetValue(stream, out var seq)) seq = log.LastSequenceOf(stream);
            var ids = new long[events.Count];
            for (var j = 0; j < ids.Length; j++)
            {
                ids[j] = ++seq;
                log._events.Insert(ToDocument(Key(stream, seq), events[j], now));
            }
            next[stream] = seq;
            _ids = ids;
        }

        public override void Complete() => Done.TrySetResult(_ids);
        public override void Fail(Exception e) => Done.TrySetException(e);
    }

    private sealed class ActionOp(Action<LiteDbEventLog> action) : WriteOp
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override int Weight => 1;
        public override void Apply(LiteDbEventLog log, Dictionary<string, long> next, DateTime now) => action(log);
        public override void Complete() => Done.TrySetResult();
        public override void Fail(Exception e) => Done.TrySetException(e);
    }

    /// <param name="time">stamps each committed batch's arrival time (retention by age reads it); the system clock by default</param>
    public LiteDbEventLog(string path, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _events = _db.GetCollection(Collection);
        _heads = _db.GetCollection("heads");
        _checkpoints = _db.GetCollection("checkpoints");
        _records = _db.GetCollection("deliveries");
        _marks = _db.GetCollection("marks");
        _writer = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public static LiteDbEventLog Open(string stateDir, TimeProvider? time = null) => new(Path.Combine(stateDir, "events.db"), time);

    private static string Stream(string ns, string broker) => ns + "/" + broker + "/";

    private static string Key(string stream, long sequence) => stream + sequence.ToString("D19", CultureInfo.InvariantCulture);

    // One index range (Between seeks both ends); an And of two comparisons would scan past the range's end
    // into the next broker's events, which costs a full walk when there is nothing new to read.
    private static BsonExpression Range(string stream, long from, long through) => Query.Between("_id", Key(stream, from), Key(stream, through));

    public Task<long[]> AppendAsync(string @namespace, string broker, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return Task.FromResult(Array.Empty<long>());
        var op = new AppendOp(Stream(@namespace, broker), events);
        Enqueue(op);
        // The append itself is not cancelled once queued: the caller only stops waiting.
        return op.Done.Task.WaitAsync(cancellationToken);
    }

    private Task WriteAsync(Action<LiteDbEventLog> action, CancellationToken cancellationToken)
    {
        var op = new ActionOp(action);
        Enqueue(op);
        return op.Done.Task.WaitAsync(cancellationToken);
    }

    private void Enqueue(WriteOp op)
    {
        if (!_queue.Writer.TryWrite(op)) throw new ObjectDisposedException(nameof(LiteDbEventLog));
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteOp>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var weight = 0;
            while (weight < MaxBatchOps && _queue.Reader.TryRead(out var op))
            {
                batch.Add(op);
                weight += op.Weight;
            }
            Commit(batch);
        }
    }

    private void Commit(List<WriteOp> batch)
    {
        var next = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            _db.BeginTrans();
            var now = _time.GetUtcNow().UtcDateTime;
            foreach (var op in batch) op.Apply(this, next, now);
            foreach (var (stream, seq) in next) _heads.Upsert(new BsonDocument { ["_id"] = stream, ["last"] = seq });
            _db.Commit();
        }
        catch (Exception e)
        {
            _db.Rollback();
            foreach (var op in batch) op.Fail(e);
            return;
        }
        foreach (var (stream, seq) in next) _last[stream] = seq;
        foreach (var op in batch) op.Complete();
    }

    private static BsonDocument ToDocument(string id, StoredEvent e, DateTime arrivedAt)
    {
        var attributes = new BsonDocument();
        foreach (var (k, v) in e.Attributes) attributes[k] = v;
        var doc = new BsonDocument
        {
            ["_id"] = id,
            ["a"] = attributes,
            ["t"] = arrivedAt,
        };
        if (e.Data is { } data) doc["d"] = data;
        return doc;
    }

    private static LoggedEvent FromDocument(BsonDocument doc)
    {
        var sequence = SequenceOf(doc["_id"].AsString);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in doc["a"].AsDocument) attributes[k] = v.AsString;
        var data = doc.TryGetValue("d", out var d) && d.IsBinary ? d.AsBinary : null;
        return new LoggedEvent(sequence, attributes, data, new DateTimeOffset(DateTime.SpecifyKind(doc["t"].AsDateTime, DateTimeKind.Utc)));
    }

    public IReadOnlyList<LoggedEvent> Read(string @namespace, string broker, long afterSequence, int max)
    {
        var stream = Stream(@namespace, broker);
        return _events.Find(Range(stream, afterSequence + 1, long.MaxValue), 0, max)
            .Select(FromDocument)
            .ToList();
    }

    public long LastSequence(string @namespace, string broker) => LastSequenceOf(Stream(@namespace, broker));

    private long LastSequenceOf(string stream)
    {
        if (_last.TryGetValue(stream, out var known)) return known;
        // Every commit writes the broker's head, so a broker without one has never stored an event.
        var seq = _heads.FindById(stream) is { } head ? head["last"].AsInt64 : 0;
        return _last.GetOrAdd(stream, seq);
    }

    private static long SequenceOf(string id) =>
        long.Parse(id.AsSpan(id.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture);

    // Find over an index range walks the index in order and stops at the limit; a Query().OrderBy() would
    // load and sort the whole range first (hundreds of MB for a long log).
    public long FirstSequence(string @namespace, string broker) =>
        _events.Find(Range(Stream(@namespace, broker), 1, long.MaxValue), 0, 1).Select(d => SequenceOf(d["_id"].AsString)).FirstOrDefault();

    public int Prune(string @namespace, string broker, long throughSequence, DateTimeOffset? arrivedBefore = null)
    {
        var stream = Stream(@namespace, broker);
        var through = throughSequence;
        if (arrivedBefore is { } cutoff)
        {
            // Arrival times rise with the sequence: walk from the oldest and stop at the first young one.
            through = 0;
            foreach (var doc in _events.Find(Range(stream, 1, throughSequence)))
            {
                if (doc["t"].AsDateTime >= cutoff.UtcDateTime) break;
                through = SequenceOf(doc["_id"].AsString);
            }
        }
        return through < 1 ? 0 : _events.DeleteMany(Range(stream, 1, through));
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // Registered under several interfaces, so it may be disposed more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _db.Dispose();
    }
}
