using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Serving.ConfigMaps;
using Kinlet.Store;

namespace Kinlet.Serving.Tests.ConfigMaps;

/// <summary>The ConfigMap controller against the real LiteDB store, and the change feed it publishes to.</summary>
public sealed class ConfigMapControllerTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private readonly string dir = Directory.CreateTempSubdirectory("kinlet-cm-").FullName;
    private readonly LiteDbResourceStore store;
    private readonly ConfigChangeFeed feed = new();
    private readonly ConfigMapController controller;

    public ConfigMapControllerTests()
    {
        store = LiteDbResourceStore.Open(dir);
        controller = new ConfigMapController(store, feed, TimeProvider.System);
    }

    public void Dispose()
    {
        store.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private static ConfigMap Map(string name, Dictionary<string, string>? data = null, bool? immutable = null) =>
        new() { Metadata = new ObjectMeta { Name = name }, Data = data, Immutable = immutable };

    [Fact]
    public void Create_stores_the_data_with_uid_time_and_version_and_reads_it_back()
    {
        var created = controller.Apply(Map("app", new() { ["LOG_LEVEL"] = "debug" }), "default", replace: false);

        Assert.NotNull(created.Metadata.Uid);
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal("1", created.Metadata.ResourceVersion);
        var read = controller.Get("default", "app");
        Assert.Equal("debug", read.Data!["LOG_LEVEL"]);
        Assert.Equal("default", read.Metadata.Namespace);
        Assert.Equal(["app"], controller.List("default").Select(m => m.Metadata.Name));
        Assert.Empty(controller.List("other"));
    }

    [Fact]
    public void A_second_create_is_a_conflict_and_a_replace_bumps_the_version_keeping_the_uid()
    {
        var first = controller.Apply(Map("app", new() { ["a"] = "1" }), "default", replace: false);
        Assert.Throws<ResourceConflictException>(() => controller.Apply(Map("app", new() { ["a"] = "2" }), "default", replace: false));

        var second = controller.Apply(Map("app", new() { ["a"] = "2" }), "default", replace: true);

        Assert.Equal(first.Metadata.Uid, second.Metadata.Uid);
        Assert.Equal("2", second.Metadata.ResourceVersion);
        Assert.Equal("2", controller.Get("default", "app").Data!["a"]);
    }

    [Fact]
    public void Invalid_input_is_refused_naming_the_field_and_nothing_is_stored()
    {
        var e = Assert.Throws<ValidationException>(() => controller.Apply(Map("app", new() { ["bad key"] = "v" }), "default", replace: false));
        Assert.Equal("data.bad key", e.Field);
        Assert.Throws<ResourceNotFoundException>(() => controller.Get("default", "app"));
    }

    [Fact]
    public void An_immutable_config_map_keeps_its_data_and_its_flag()
    {
        controller.Apply(Map("frozen", new() { ["a"] = "1" }, immutable: true), "default", replace: false);

        Assert.Equal("data", Assert.Throws<ValidationException>(() =>
            controller.Apply(Map("frozen", new() { ["a"] = "2" }, immutable: true), "default", replace: true)).Field);
        Assert.Equal("immutable", Assert.Throws<ValidationException>(() =>
            controller.Apply(Map("frozen", new() { ["a"] = "1" }, immutable: false), "default", replace: true)).Field);
        var labelled = Map("frozen", new() { ["a"] = "1" }, immutable: true);
        labelled.Metadata.Labels = new() { ["team"] = "a" };
        Assert.Equal("a", controller.Apply(labelled, "default", replace: true).Metadata.Labels!["team"]);
    }

    [Fact]
    public async Task Watchers_see_each_stored_change_in_order_and_an_unchanged_write_wakes_nobody()
    {
        using var cts = new CancellationTokenSource();
        var reader = feed.Watch(cts.Token);

        controller.Apply(Map("app", new() { ["a"] = "1" }), "default", replace: false);
        controller.Apply(Map("app", new() { ["a"] = "1" }), "default", replace: true); // same content: no change
        controller.Apply(Map("app", new() { ["a"] = "2" }), "default", replace: true);
        controller.Delete("default", "app");

        var seen = new List<ConfigChange>();
        for (var i = 0; i < 3; i++) seen.Add(await reader.ReadAsync().AsTask().WaitAsync(Bound));
        Assert.Equal([1L, 2, 3], seen.Select(c => c.Version));
        Assert.All(seen, c => Assert.Equal((ConfigKind.ConfigMap, "default", "app"), (c.Kind, c.Namespace, c.Name)));
        Assert.Equal([false, false, true], seen.Select(c => c.Deleted));
        Assert.False(reader.TryRead(out _));

        await cts.CancelAsync();
        await reader.Completion.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_watcher_that_falls_behind_loses_the_oldest_and_sees_the_version_jump()
    {
        using var cts = new CancellationTokenSource();
        var reader = feed.Watch(cts.Token);
        for (var i = 0; i < 300; i++) feed.Publish(ConfigKind.Secret, "default", "s" + i, deleted: false);

        var first = await reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.Equal(300 - 256 + 1, first.Version);
        Assert.Equal(300, feed.Version);
    }
}
