using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using LiteDB;

namespace Kinlet.Store.Events;

/// <summary>
/// Event logs in their own LiteDB file (<c>events.db</c>), one document per event keyed
/// <c>{namespace}/{broker}/{sequence:D19}</c> so a broker's events are one ordered range of the primary index.
/// Appends go through a single writer that commits whatever has queued up as one transaction (group commit):
/// many concurrent requests share one disk flush, and each caller's task completes after that commit.
/// </summary>
public sealed class LiteDbEventLog : IEventLog, IAsyncDisposable
{
    private const string Collection = "events";
    private const int MaxBatchEvents = 2048;

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _events;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, long> _last = new(StringComparer.Ordinal);
    private readonly Task _writer;

    private sealed record Pending(string Stream, IReadOnlyList<StoredEvent> Events, TaskCompletionSource<long[]> Done);

    public LiteDbEventLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _events = _db.GetCollection(Collection);
        _writer = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public static LiteDbEventLog Open(string stateDir) => new(Path.Combine(stateDir, "events.db"));

    private static string Stream(string ns, string broker) => ns + "/" + broker + "/";

    private static string Key(string stream, long sequence) => stream + sequence.ToString("D19", CultureInfo.InvariantCulture);

    public Task<long[]> AppendAsync(string @namespace, string broker, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return Task.FromResult(Array.Empty<long>());
        var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(Stream(@namespace, broker), events, done)))
            throw new ObjectDisposedException(nameof(LiteDbEventLog));
        // The append itself is not cancelled once queued: the caller only stops waiting.
        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            while (count < MaxBatchEvents && _queue.Reader.TryRead(out var p))
            {
                batch.Add(p);
                count += p.Events.Count;
            }
            Commit(batch);
        }
    }

    private void Commit(List<Pending> batch)
    {
        var results = new long[batch.Count][];
        var next = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            _db.BeginTrans();
            var now = DateTime.UtcNow;
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                if (!next.TryGetValue(p.Stream, out var seq)) seq = LastSequenceOf(p.Stream);
                var ids = new long[p.Events.Count];
                for (var j = 0; j < ids.Length; j++)
                {
                    ids[j] = ++seq;
                    _events.Insert(ToDocument(Key(p.Stream, seq), p.Events[j], now));
                }
                next[p.Stream] = seq;
                results[i] = ids;
            }
            _db.Commit();
        }
        catch (Exception e)
        {
            _db.Rollback();
            foreach (var p in batch) p.Done.TrySetException(e);
            return;
        }
        foreach (var (stream, seq) in next) _last[stream] = seq;
        for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
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
        var id = doc["_id"].AsString;
        var sequence = long.Parse(id.AsSpan(id.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in doc["a"].AsDocument) attributes[k] = v.AsString;
        var data = doc.TryGetValue("d", out var d) && d.IsBinary ? d.AsBinary : null;
        return new LoggedEvent(sequence, attributes, data, new DateTimeOffset(DateTime.SpecifyKind(doc["t"].AsDateTime, DateTimeKind.Utc)));
    }

    public IReadOnlyList<LoggedEvent> Read(string @namespace, string broker, long afterSequence, int max)
    {
        var stream = Stream(@namespace, broker);
        return _events.Find(Query.And(
                Query.GT("_id", Key(stream, afterSequence)),
                Query.LTE("_id", Key(stream, long.MaxValue))), 0, max)
            .Select(FromDocument)
            .ToList();
    }

    public long LastSequence(string @namespace, string broker) => LastSequenceOf(Stream(@namespace, broker));

    private long LastSequenceOf(string stream)
    {
        if (_last.TryGetValue(stream, out var known)) return known;
        // The primary index, walked backwards from the end of the broker's key range: one document read.
        var last = _events.Query()
            .Where(Query.And(Query.GT("_id", Key(stream, 0)), Query.LTE("_id", Key(stream, long.MaxValue))))
            .OrderByDescending("_id")
            .Limit(1)
            .ToEnumerable()
            .Select(d => d["_id"].AsString)
            .FirstOrDefault();
        var seq = last is null ? 0 : long.Parse(last.AsSpan(last.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        return _last.GetOrAdd(stream, seq);
    }

    public int Prune(string @namespace, string broker, long throughSequence)
    {
        var stream = Stream(@namespace, broker);
        return _events.DeleteMany(Query.And(Query.GT("_id", Key(stream, 0)), Query.LTE("_id", Key(stream, throughSequence))));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _db.Dispose();
    }
}
