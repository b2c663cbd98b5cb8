using JsonSerializer = System.Text.Json.JsonSerializer;
using Kinlet.Core.Json;
using LiteDB;

namespace Kinlet.Store;

/// <summary>Resources in one LiteDB file under the state dir; one document per resource holding its JSON.</summary>
public sealed class LiteDbResourceStore : IResourceStore, IDisposable
{
    private const string Collection = "resources";
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _resources;
    // LiteDB transactions are bound to the calling thread; one writer at a time keeps them simple.
    private readonly Lock _writeLock = new();

    public LiteDbResourceStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _resources = _db.GetCollection(Collection);
        _resources.EnsureIndex("kind");
    }

    public static LiteDbResourceStore Open(string stateDir) => new(Path.Combine(stateDir, "kinlet.db"));

    private static string Key(string kind, string ns, string name) => $"{kind}/{ns}/{name}";

    public T? Get<T>(string kind, string @namespace, string name) where T : class
    {
        var doc = _resources.FindById(Key(kind, @namespace, name));
        return doc is null ? null : Read<T>(doc);
    }

    public IReadOnlyList<T> List<T>(string kind, string? @namespace) where T : class
    {
        var docs = @namespace is null
            ? _resources.Find(Query.EQ("kind", kind))
            : _resources.Find(Query.And(Query.EQ("kind", kind), Query.EQ("ns", @namespace)));
        return docs
            .OrderBy(d => d["ns"].AsString, StringComparer.Ordinal)
            .ThenBy(d => d["name"].AsString, StringComparer.Ordinal)
            .Select(Read<T>)
            .ToList();
    }

    public void Put<T>(string kind, string @namespace, string name, T value) where T : class
    {
        lock (_writeLock) _resources.Upsert(ToDoc(kind, @namespace, name, value));
    }

    public bool Delete(string kind, string @namespace, string name)
    {
        lock (_writeLock) return _resources.Delete(Key(kind, @namespace, name));
    }

    public void Write(Action<IResourceWriter> writes)
    {
        lock (_writeLock)
        {
            _db.BeginTrans();
            try
            {
                writes(new Writer(this));
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
    }

    private static BsonDocument ToDoc<T>(string kind, string ns, string name, T value) => new()
    {
        ["_id"] = Key(kind, ns, name),
        ["kind"] = kind,
        ["ns"] = ns,
        ["name"] = name,
        ["json"] = JsonSerializer.Serialize(value, KinletJson.Options),
    };

    private static T Read<T>(BsonDocument doc) =>
        JsonSerializer.Deserialize<T>(doc["json"].AsString, KinletJson.Options)
        ?? throw new InvalidDataException($"stored resource {doc["_id"].AsString} is empty");

    public void Dispose() => _db.Dispose();

    private sealed class Writer(LiteDbResourceStore store) : IResourceWriter
    {
        public void Put<T>(string kind, string @namespace, string name, T value) where T : class =>
            store._resources.Upsert(ToDoc(kind, @namespace, name, value));

        public bool Delete(string kind, string @namespace, string name) =>
            store._resources.Delete(Key(kind, @namespace, name));
    }
}
