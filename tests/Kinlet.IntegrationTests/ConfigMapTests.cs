using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>ConfigMaps through the control API, the CLI and <c>kinlet apply</c>, on a real daemon.</summary>
public sealed class ConfigMapTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Maps = "/api/v1/namespaces/default/configmaps";

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_control_API_keeps_config_maps_in_Kubernetes_shape_and_refuses_bad_ones_naming_the_field()
    {
        using (var created = await Daemon.Api.PostAsync(Maps, Body("""
                   {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"api-cm","labels":{"team":"a"}},
                    "data":{"LOG_LEVEL":"debug"},"binaryData":{"blob":"AAEC"}}
                   """)))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var read = JsonNode.Parse(await Daemon.Api.GetStringAsync($"{Maps}/api-cm"))!;
        Assert.Equal("debug", read["data"]!["LOG_LEVEL"]!.GetValue<string>());
        Assert.Equal("AAEC", read["binaryData"]!["blob"]!.GetValue<string>());
        Assert.Equal("a", read["metadata"]!["labels"]!["team"]!.GetValue<string>());
        Assert.NotNull(read["metadata"]!["uid"]);
        var list = JsonNode.Parse(await Daemon.Api.GetStringAsync(Maps))!;
        Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
        Assert.Contains(list["items"]!.AsArray(), i => i!["metadata"]!["name"]!.GetValue<string>() == "api-cm");
        Assert.Contains("api-cm", await Daemon.Api.GetStringAsync("/api/v1/configmaps"));

        using (var dup = await Daemon.Api.PostAsync(Maps, Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"api-cm"}}""")))
            Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
        using (var put = await Daemon.Api.PutAsync($"{Maps}/api-cm", Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"api-cm"},"data":{"LOG_LEVEL":"info"}}""")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains("\"info\"", await Daemon.Api.GetStringAsync($"{Maps}/api-cm"));

        await AssertBadRequest("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"},"data":{"no/slash":"x"}}""", "data.no/slash");
        await AssertBadRequest("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"},"binaryData":{"b":"%%%"}}""", "binaryData.b");
        var big = new string('x', 1024 * 1024);
        var tooBig = await AssertBadRequest("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"big":""" + "\"" + big + "\"}}", "data");
        Assert.Contains("1 MiB", tooBig);

        using (var deleted = await Daemon.Api.DeleteAsync($"{Maps}/api-cm"))
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using (var gone = await Daemon.Api.GetAsync($"{Maps}/api-cm"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private async Task<string> AssertBadRequest(string json, string field)
    {
        using var response = await Daemon.Api.PostAsync(Maps, Body(json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal(field, JsonNode.Parse(text)!["field"]!.GetValue<string>());
        return text;
    }

    [Fact]
    public async Task The_cli_creates_lists_describes_updates_and_deletes_and_apply_answers_unchanged()
    {
        var dir = Directory.CreateTempSubdirectory("kinlet-cm-it-").FullName;
        try
        {
            var config = Path.Combine(dir, "config.yaml");
            await File.WriteAllTextAsync(config, "greeting: hello\n");
            var created = await Cli("configmap", "create", "cli-cm", "--from-literal", "LOG_LEVEL=debug", "--from-file", "config.yaml=" + config);
            Assert.True(created.ExitCode == 0, created.ToString());

            var describe = await Cli("configmap", "describe", "cli-cm");
            Assert.Contains("greeting: hello", describe.Stdout);
            Assert.Contains("LOG_LEVEL", (await Cli("configmap", "list")).Stdout);
            var yaml = await Cli("configmap", "describe", "cli-cm", "-o", "yaml");
            Assert.Contains("LOG_LEVEL: debug", yaml.Stdout);

            var updated = await Cli("configmap", "update", "cli-cm", "--from-literal", "LOG_LEVEL=info");
            Assert.True(updated.ExitCode == 0, updated.ToString());
            Assert.Contains("LOG_LEVEL: info", (await Cli("configmap", "describe", "cli-cm", "-o", "yaml")).Stdout);

            // What describe -o yaml prints applies back as unchanged (the server fields are ignored in the comparison).
            var exported = Path.Combine(dir, "cm.yaml");
            await File.WriteAllTextAsync(exported, (await Cli("configmap", "describe", "cli-cm", "-o", "yaml")).Stdout);
            var again = await Cli("apply", "-f", exported);
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains("ConfigMap 'cli-cm' unchanged", again.Stdout);

            Assert.Equal(0, (await Cli("configmap", "delete", "cli-cm")).ExitCode);
            var missing = await Cli("configmap", "describe", "cli-cm");
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains("not found", missing.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
