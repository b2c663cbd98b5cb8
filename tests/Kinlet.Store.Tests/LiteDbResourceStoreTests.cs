using Kinlet.Core.Model;
using Kinlet.Store;

namespace Kinlet.Store.Tests;

public sealed class LiteDbResourceStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kinlet-store-" + Guid.NewGuid().ToString("N"));

    private LiteDbResourceStore Open() => LiteDbResourceStore.Open(_dir);

    private static Service Svc(string name, string ns = "default") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, Annotations = new() { ["a.b/c"] = "d" } },
        Spec = new ServiceSpec { Template = new RevisionTemplate { Spec = new RevisionSpec { Containers = [new Container { Image = "img:1" }] } } },
    };

    [Fact]
    public void Resources_survive_reopening_the_store()
    {
        using (var store = Open())
        {
            store.Put(Kinds.Service, "default", "a", Svc("a"));
        }
        using var reopened = Open();
        var read = reopened.Get<Service>(Kinds.Service, "default", "a");
        Assert.NotNull(read);
        Assert.Equal("img:1", read.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("d", read.Metadata.Annotations!["a.b/c"]);
    }

    [Fact]
    public void List_filters_by_kind_and_namespace_in_name_order()
    {
        using var store = Open();
        store.Put(Kinds.Service, "default", "b", Svc("b"));
        store.Put(Kinds.Service, "default", "a", Svc("a"));
        store.Put(Kinds.Service, "team", "c", Svc("c", "team"));
        store.Put(Kinds.Route, "default", "a", new Route { Metadata = new ObjectMeta { Name = "a" } });
        Assert.Equal(["a", "b"], store.List<Service>(Kinds.Service, "default").Select(s => s.Metadata.Name));
        Assert.Equal(["a", "b", "c"], store.List<Service>(Kinds.Service, null).Select(s => s.Metadata.Name));
        Assert.Single(store.List<Route>(Kinds.Route, null));
    }

    [Fact]
    public void A_failed_batch_writes_nothing()
    {
        using var store = Open();
        Assert.Throws<InvalidOperationException>(() => store.Write(w =>
        {
            w.Put(Kinds.Service, "default", "x", Svc("x"));
            throw new InvalidOperationException("boom");
        }));
        Assert.Null(store.Get<Service>(Kinds.Service, "default", "x"));
        store.Write(w =>
        {
            w.Put(Kinds.Service, "default", "y", Svc("y"));
            w.Put(Kinds.Route, "default", "y", new Route { Metadata = new ObjectMeta { Name = "y" } });
        });
        Assert.NotNull(store.Get<Service>(Kinds.Service, "default", "y"));
        Assert.NotNull(store.Get<Route>(Kinds.Route, "default", "y"));
    }

    [Fact]
    public void Delete_removes_only_that_resource()
    {
        using var store = Open();
        store.Put(Kinds.Service, "default", "a", Svc("a"));
        store.Put(Kinds.Route, "default", "a", new Route { Metadata = new ObjectMeta { Name = "a" } });
        Assert.True(store.Delete(Kinds.Service, "default", "a"));
        Assert.False(store.Delete(Kinds.Service, "default", "a"));
        Assert.NotNull(store.Get<Route>(Kinds.Route, "default", "a"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FileSecretStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kinlet-secrets-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Secrets_round_trip_in_a_file_only_the_owner_can_read()
    {
        var store = Kinlet.Store.Secrets.FileSecretStore.Open(_dir);
        Assert.Null(store.Get("default", "db"));
        store.Put(new Kinlet.Store.Secrets.StoredSecret("default", "db", "u1", DateTimeOffset.UnixEpoch, new Dictionary<string, byte[]> { ["password"] = "s3cret"u8.ToArray() }));
        store.Put(new Kinlet.Store.Secrets.StoredSecret("prod", "api", "u2", DateTimeOffset.UnixEpoch, new Dictionary<string, byte[]> { ["key"] = [1, 2, 3] }));
        var path = Path.Combine(_dir, "secrets.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        var reopened = Kinlet.Store.Secrets.FileSecretStore.Open(_dir);
        Assert.Equal("s3cret"u8.ToArray(), reopened.Get("default", "db")!.Data["password"]);
        Assert.Equal(["db"], reopened.List("default").Select(s => s.Name));
        Assert.Equal(2, reopened.List(null).Count);
        Assert.True(reopened.Delete("default", "db"));
        Assert.False(reopened.Delete("default", "db"));
        Assert.Null(Kinlet.Store.Secrets.FileSecretStore.Open(_dir).Get("default", "db"));
        Assert.False(File.Exists(path + ".tmp"));
    }
}
