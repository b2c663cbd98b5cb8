using System.Text.Json;

namespace Kinlet.Store.Secrets;

/// <summary>One stored secret: its values as bytes, by key.</summary>
/// <param name="Type">Kubernetes' secret type; null is "Opaque".</param>
public sealed record StoredSecret(string Namespace, string Name, string Uid, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, byte[]> Data, string? Type = null);

/// <summary>Secrets, kept apart from the other resources so that only the daemon's user can read them.</summary>
public interface ISecretStore
{
    StoredSecret? Get(string @namespace, string name);

    IReadOnlyList<StoredSecret> List(string? @namespace);

    void Put(StoredSecret secret);

    bool Delete(string @namespace, string name);
}

/// <summary>
/// <c>&lt;state&gt;/secrets.json</c>, mode 0600 (created so, never widened), rewritten whole through a temp file and
/// a rename so a crash leaves the old or the new file, never half of one. Secrets are few and small.
/// </summary>
public sealed class FileSecretStore : ISecretStore
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private Dictionary<string, StoredSecret> _secrets;

    private sealed record FileEntry(string Namespace, string Name, string Uid, DateTimeOffset CreatedAt, Dictionary<string, byte[]> Data, string? Type = null);

    public FileSecretStore(string path)
    {
        _path = path;
        _secrets = Load(path);
    }

    public static FileSecretStore Open(string stateDir) => new(Path.Combine(stateDir, "secrets.json"));

    private static string Key(string ns, string name) => ns + "/" + name;

    private static Dictionary<string, StoredSecret> Load(string path)
    {
        if (!File.Exists(path)) return new(StringComparer.Ordinal);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var entries = JsonSerializer.Deserialize<List<FileEntry>>(File.ReadAllBytes(path)) ?? [];
        return entries.ToDictionary(e => Key(e.Namespace, e.Name), e => new StoredSecret(e.Namespace, e.Name, e.Uid, e.CreatedAt, e.Data, e.Type), StringComparer.Ordinal);
    }

    public StoredSecret? Get(string @namespace, string name)
    {
        lock (_gate) return _secrets.GetValueOrDefault(Key(@namespace, name));
    }

    public IReadOnlyList<StoredSecret> List(string? @namespace)
    {
        lock (_gate)
            return [.. _secrets.Values.Where(s => @namespace is null || s.Namespace == @namespace).OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    public void Put(StoredSecret secret)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, StoredSecret>(_secrets, StringComparer.Ordinal) { [Key(secret.Namespace, secret.Name)] = secret };
            Save(next);
            _secrets = next;
        }
    }

    public bool Delete(string @namespace, string name)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, StoredSecret>(_secrets, StringComparer.Ordinal);
            if (!next.Remove(Key(@namespace, name))) return false;
            Save(next);
            _secrets = next;
            return true;
        }
    }

    private void Save(Dictionary<string, StoredSecret> secrets)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        var temp = _path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, secrets.Values.Select(s => new FileEntry(s.Namespace, s.Name, s.Uid, s.CreatedAt, s.Data.ToDictionary(), s.Type)).ToList());
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }
}
