using System.Globalization;
using LiteDB;

namespace Kinlet.Store.Events;

/// <summary>The triggers' delivery state: checkpoints, retry/failed records and sources' marks, committed by the log's writer.</summary>
public sealed partial class LiteDbEventLog
{
    private readonly ILiteCollection<BsonDocument> _checkpoints;
    private readonly ILiteCollection<BsonDocument> _records;
    private readonly ILiteCollection<BsonDocument> _marks;

    // Records are keyed {trigger}#{sequence:D19}: one trigger's records are one ordered range of the index.
    private static string RecordKey(string trigger, long sequence) => trigger + "#" + sequence.ToString("D19", CultureInfo.InvariantCulture);

    // One index range: this trigger's records and nothing else (sequences are 19 digits).
    private static BsonExpression RecordRange(string trigger) =>
        Query.Between("_id", RecordKey(trigger, 0), RecordKey(trigger, long.MaxValue));

    public TriggerCheckpoint? LoadCheckpoint(string trigger)
    {
        var doc = _checkpoints.FindById(trigger);
        if (doc is null) return null;
        return new TriggerCheckpoint(
            doc["uid"].AsString,
            doc["cursor"].AsInt64,
            [.. doc["done"].AsArray.Select(v => v.AsInt64)],
            doc["delivered"].AsInt64,
            doc["deadLettered"].AsInt64,
            doc["failed"].AsInt64,
            doc["lastError"].IsNull ? null : doc["lastError"].AsString,
            doc["lastErrorAt"].IsNull ? null : new DateTimeOffset(DateTime.SpecifyKind(doc["lastErrorAt"].AsDateTime, DateTimeKind.Utc)));
    }

    public Task SaveCheckpointAsync(string trigger, TriggerCheckpoint c, CancellationToken cancellationToken)
    {
        var doc = new BsonDocument
        {
            ["_id"] = trigger,
            ["uid"] = c.Uid,
            ["cursor"] = c.Cursor,
            ["done"] = new BsonArray(c.Done.Select(d => new BsonValue(d))),
            ["delivered"] = c.Delivered,
            ["deadLettered"] = c.DeadLettered,
            ["failed"] = c.Failed,
            ["lastError"] = c.LastError is null ? BsonValue.Null : new BsonValue(c.LastError),
            ["lastErrorAt"] = c.LastErrorAt is { } at ? new BsonValue(at.UtcDateTime) : BsonValue.Null,
        };
        return WriteAsync(log => log._checkpoints.Upsert(doc), cancellationToken);
    }

    public Task PutRecordAsync(DeliveryRecord r, CancellationToken cancellationToken)
    {
        var attributes = new BsonDocument();
        foreach (var (k, v) in r.Attributes) attributes[k] = v;
        var doc = new BsonDocument
        {
            ["_id"] = RecordKey(r.Trigger, r.Sequence),
            ["a"] = attributes,
            ["state"] = r.State.ToString(),
            ["attempts"] = r.Attempts,
            ["due"] = r.DueAt.UtcDateTime,
            ["status"] = r.LastStatus is { } s ? new BsonValue(s) : BsonValue.Null,
            ["error"] = r.LastError is null ? BsonValue.Null : new BsonValue(r.LastError),
        };
        if (r.Data is { } data) doc["d"] = data;
        return WriteAsync(log => log._records.Upsert(doc), cancellationToken);
    }

    public Task DeleteRecordAsync(string trigger, long sequence, CancellationToken cancellationToken)
    {
        var id = RecordKey(trigger, sequence);
        return WriteAsync(log => log._records.Delete(id), cancellationToken);
    }

    public IReadOnlyList<DeliveryRecord> ListRecords(string trigger, DeliveryRecordState? state, int max)
    {
        var list = new List<DeliveryRecord>();
        foreach (var doc in _records.Find(RecordRange(trigger)))
        {
            var record = ToRecord(trigger, doc);
            if (state is { } s && record.State != s) continue;
            list.Add(record);
            if (list.Count >= max) break;
        }
        return list;
    }

    public int CountRecords(string trigger, DeliveryRecordState state)
    {
        var name = state.ToString();
        return _records.Find(RecordRange(trigger)).Count(d => d["state"].AsString == name);
    }

    private static DeliveryRecord ToRecord(string trigger, BsonDocument doc)
    {
        var id = doc["_id"].AsString;
        var sequence = long.Parse(id.AsSpan(id.LastIndexOf('#') + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in doc["a"].AsDocument) attributes[k] = v.AsString;
        return new DeliveryRecord(
            trigger,
            sequence,
            attributes,
            doc.TryGetValue("d", out var d) && d.IsBinary ? d.AsBinary : null,
            Enum.Parse<DeliveryRecordState>(doc["state"].AsString),
            doc["attempts"].AsInt32,
            new DateTimeOffset(DateTime.SpecifyKind(doc["due"].AsDateTime, DateTimeKind.Utc)),
            doc["status"].IsNull ? null : doc["status"].AsInt32,
            doc["error"].IsNull ? null : doc["error"].AsString);
    }

    public Task DeleteTriggerAsync(string trigger, CancellationToken cancellationToken)
    {
        var range = RecordRange(trigger);
        return WriteAsync(log =>
        {
            log._checkpoints.Delete(trigger);
            log._records.DeleteMany(range);
        }, cancellationToken);
    }

    public DateTimeOffset? LoadMark(string key) =>
        _marks.FindById(key) is { } doc ? new DateTimeOffset(DateTime.SpecifyKind(doc["at"].AsDateTime, DateTimeKind.Utc)) : null;

    public Task SaveMarkAsync(string key, DateTimeOffset value, CancellationToken cancellationToken)
    {
        var doc = new BsonDocument { ["_id"] = key, ["at"] = value.UtcDateTime };
        return WriteAsync(log => log._marks.Upsert(doc), cancellationToken);
    }

    public Task DeleteMarkAsync(string key, CancellationToken cancellationToken) =>
        WriteAsync(log => log._marks.Delete(key), cancellationToken);
}
