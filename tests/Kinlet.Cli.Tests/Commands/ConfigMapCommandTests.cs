using System.Text;
using System.Text.Json.Nodes;
using Kinlet.Cli.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Cli.Tests.Commands;

/// <summary><c>kinlet configmap ...</c> and <c>kinlet apply</c> of ConfigMaps against a fake daemon that keeps them in memory.</summary>
public sealed class ConfigMapCommandTests : IAsyncLifetime, IDisposable
{
    private const string Collection = "/api/v1/namespaces/default/configmaps";
    private FakeKinletd daemon = null!;
    private readonly Dictionary<string, JsonObject> maps = [];
    private readonly string dir = Directory.CreateTempSubdirectory("kinlet-cm-cli-").FullName;

    public async Task InitializeAsync()
    {
        daemon = await FakeKinletd.StartAsync();
        daemon.Intercept = HandleAsync;
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(daemon, args);

    private async Task<bool> HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (!path.StartsWith(Collection, StringComparison.Ordinal)) return false;
        var name = path.Length > Collection.Length ? path[(Collection.Length + 1)..] : null;
        // The fake has read the body already (it records every request).
        var body = daemon.Requests.Last().Body;
        ctx.Response.ContentType = "application/json";
        var (status, answer) = Answer(ctx.Request.Method, name, body);
        if (status == 0) return false;
        ctx.Response.StatusCode = status;
        await ctx.Response.WriteAsync(answer!.ToJsonString());
        return true;
    }

    private (int, JsonObject?) Answer(string method, string? name, string body)
    {
        lock (maps)
        {
            switch (method, name)
            {
                case ("GET", null):
                    var items = new JsonArray([.. maps.Values.Select(m => (JsonNode)m.DeepClone())]);
                    return Write(200, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMapList", ["items"] = items });
                case ("GET", _):
                    return maps.TryGetValue(name!, out var found) ? Write(200, found) : Write(404, new JsonObject { ["error"] = "not found" });
                case ("POST", null):
                case ("PUT", _):
                    var map = JsonNode.Parse(body)!.AsObject();
                    var key = name ?? map["metadata"]!["name"]!.GetValue<string>();
                    if (name is null && maps.ContainsKey(key)) return Write(409, new JsonObject { ["error"] = "already exists" });
                    map["metadata"]!["creationTimestamp"] = "2026-01-01T00:00:00Z";
                    maps[key] = map;
                    return Write(name is null ? 201 : 200, map);
                case ("DELETE", _):
                    return maps.Remove(name!, out var gone) ? Write(200, gone) : Write(404, new JsonObject { ["error"] = "not found" });
            }
        }
        return (0, null);
    }

    private static (int, JsonObject?) Write(int status, JsonObject value) => (status, value);

    private string File(string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private JsonObject Posted() => JsonNode.Parse(daemon.Calls("POST", Collection).Last().Body)!.AsObject();

    [Fact]
    public async Task Create_puts_literals_and_text_files_in_data_and_binary_files_in_binaryData()
    {
        var config = File("config.yaml", Encoding.UTF8.GetBytes("a: 1\n"));
        var logo = File("logo.png", [0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]);

        var r = await Run("configmap", "create", "app", "--from-literal", "LOG_LEVEL=debug", "--from-literal", "EMPTY=",
            "--from-file", "settings=" + config, "--from-file", logo);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ConfigMap 'app' created with keys: EMPTY, LOG_LEVEL, logo.png, settings\n", r.Stdout);
        var body = Posted();
        Assert.Equal("v1", body["apiVersion"]!.GetValue<string>());
        Assert.Equal("ConfigMap", body["kind"]!.GetValue<string>());
        Assert.Equal("debug", body["data"]!["LOG_LEVEL"]!.GetValue<string>());
        Assert.Equal("", body["data"]!["EMPTY"]!.GetValue<string>());
        Assert.Equal("a: 1\n", body["data"]!["settings"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]), body["binaryData"]!["logo.png"]!.GetValue<string>());
        Assert.Null(body["immutable"]);
    }

    [Fact]
    public async Task Create_from_a_directory_adds_each_file_by_name()
    {
        var sub = Directory.CreateDirectory(Path.Combine(dir, "conf")).FullName;
        System.IO.File.WriteAllText(Path.Combine(sub, "a.conf"), "A");
        System.IO.File.WriteAllText(Path.Combine(sub, "b.conf"), "B");

        var r = await Run("cm", "create", "dir", "--from-file", sub, "--immutable");

        Assert.True(r.ExitCode == 0, r.ToString());
        var body = Posted();
        Assert.Equal(["a.conf", "b.conf"], body["data"]!.AsObject().Select(kv => kv.Key));
        Assert.True(body["immutable"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("--from-literal", "novalue", "KEY=VALUE")]
    [InlineData("--from-literal", "bad key=1", "key 'bad key'")]
    [InlineData("--from-file", "/nonexistent/file", "no such file")]
    public async Task Bad_sources_are_usage_errors_and_nothing_is_sent(string flag, string value, string message)
    {
        var r = await Run("configmap", "create", "app", flag, value);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Empty(daemon.Calls("POST", Collection));
    }

    [Fact]
    public async Task A_key_given_twice_is_a_usage_error()
    {
        var r = await Run("configmap", "create", "app", "--from-literal", "k=1", "--from-literal", "k=2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("given twice", r.Stderr);
    }

    [Fact]
    public async Task List_and_describe_show_the_data_and_machine_output_is_the_resource()
    {
        await Run("configmap", "create", "app", "--from-literal", "LOG_LEVEL=debug", "--from-file", File("bin", [0xff, 0x00, 0xfe]));

        var list = await Run("configmap", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        var lines = CliRunner.Lines(list.Stdout);
        Assert.StartsWith("NAME", lines[0]);
        Assert.Contains("DATA", lines[0]);
        Assert.Matches(@"^app\s+2\s+LOG_LEVEL,bin\s", lines[1]);

        var describe = await Run("configmap", "describe", "app");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Contains("LOG_LEVEL:\n----\ndebug\n", describe.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Contains("bin: 3 bytes", describe.Stdout);

        var json = await Run("configmap", "describe", "app", "-o", "json");
        Assert.Equal("debug", JsonNode.Parse(json.Stdout)!["data"]!["LOG_LEVEL"]!.GetValue<string>());
        var yaml = await Run("configmap", "list", "-o", "yaml");
        Assert.Contains("kind: ConfigMapList", yaml.Stdout);
        Assert.Contains("LOG_LEVEL: debug", yaml.Stdout);
    }

    [Fact]
    public async Task Update_replaces_the_given_keys_removes_others_on_request_and_keeps_the_rest()
    {
        await Run("configmap", "create", "app", "--from-literal", "a=1", "--from-literal", "b=2", "--from-literal", "c=3");

        var r = await Run("configmap", "update", "app", "--from-literal", "a=10", "--from-literal", "d=4", "--remove", "c");

        Assert.True(r.ExitCode == 0, r.ToString());
        var put = JsonNode.Parse(Assert.Single(daemon.Calls("PUT", Collection + "/app")).Body)!;
        Assert.Equal(new Dictionary<string, string> { ["a"] = "10", ["b"] = "2", ["d"] = "4" },
            put["data"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>()));
        var missing = await Run("configmap", "update", "app", "--remove", "zzz");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no key 'zzz'", missing.Stderr);
    }

    [Fact]
    public async Task Delete_says_so_and_an_unknown_name_is_not_found()
    {
        await Run("configmap", "create", "app", "--from-literal", "a=1");
        var r = await Run("configmap", "delete", "app");
        Assert.Equal("ConfigMap 'app' deleted.\n", r.Stdout);
        var again = await Run("configmap", "delete", "app");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("not found", again.Stderr);
    }

    [Fact]
    public async Task Apply_creates_a_config_map_then_answers_unchanged_then_configured_when_data_changes()
    {
        const string manifest = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: app
            data:
              LOG_LEVEL: debug
              PORT: 8080
            """;
        var path = Path.Combine(dir, "cm.yaml");
        System.IO.File.WriteAllText(path, manifest);

        Assert.Equal("ConfigMap 'app' created\n", (await Run("apply", "-f", path)).Stdout);
        Assert.Equal("ConfigMap 'app' unchanged\n", (await Run("apply", "-f", path)).Stdout);
        System.IO.File.WriteAllText(path, manifest.Replace("debug", "info", StringComparison.Ordinal));
        Assert.Equal("ConfigMap 'app' configured\n", (await Run("apply", "-f", path)).Stdout);
        Assert.Single(daemon.Calls("POST", Collection));
    }

    [Fact]
    public async Task Apply_refuses_a_bad_config_map_key_before_sending_anything()
    {
        var path = Path.Combine(dir, "bad.yaml");
        System.IO.File.WriteAllText(path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {\"bad key\": x}\n");

        var r = await Run("apply", "-f", path);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("data.bad key", r.Stderr);
        Assert.Empty(daemon.Calls("POST", Collection));
    }
}
