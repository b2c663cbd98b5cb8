using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kinlet.IntegrationTests.Infrastructure;
using Kinlet.Tests.Shared;
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

    private static Dictionary<string, string> Env(string json) =>
        JsonNode.Parse(json)!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());

    [Fact]
    public async Task A_service_gets_config_map_and_secret_keys_as_env_explicit_env_wins_and_a_missing_map_fails_only_the_new_revision()
    {
        const string secretValue = "tok-Vb8-envfrom";
        Assert.Equal(0, (await Cli("secret", "create", "envsec", "--from-literal", "SHARED=from-secret", "--from-literal", "TOKEN=" + secretValue)).ExitCode);
        var manifest = $$$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: envcm}
            data: {LOG_LEVEL: debug, SHARED: from-map, 1ABC: skipped}
            ---
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata: {name: envfrom}
            spec:
              template:
                spec:
                  containers:
                    - image: {{{Images.TestFn}}}
                      envFrom:
                        - configMapRef: {name: envcm}
                        - secretRef: {name: envsec}
                          prefix: S_
                        - configMapRef: {name: not-there, optional: true}
                      env:
                        - {name: SHARED, value: explicit}
                        - name: LEVEL
                          valueFrom: {configMapKeyRef: {name: envcm, key: LOG_LEVEL}}
                        - name: OPT
                          valueFrom: {configMapKeyRef: {name: envcm, key: nokey, optional: true}}
            """;
        var applied = await Daemon.CliWithInputAsync(manifest, "apply", "-f", "-");
        Output.WriteLine(applied.ToString());
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.DoesNotContain("not supported", applied.Stderr); // envFrom is no longer ignored with a warning

        var (status, body) = await Daemon.GetAsync(Daemon.Host("envfrom"), "/env");
        Assert.Equal(200, status);
        var env = Env(body);
        Assert.Equal("debug", env["LOG_LEVEL"]);
        Assert.Equal("explicit", env["SHARED"]);
        Assert.Equal("from-secret", env["S_SHARED"]);
        Assert.Equal(secretValue, env["S_TOKEN"]);
        Assert.Equal("debug", env["LEVEL"]);
        Assert.False(env.ContainsKey("OPT"));
        Assert.False(env.ContainsKey("1ABC"));
        Assert.Equal("8080", env["PORT"]);

        var again = await Daemon.CliWithInputAsync(manifest, "apply", "-f", "-");
        Assert.Contains("ConfigMap 'envcm' unchanged", again.Stdout);
        Assert.Contains("Service 'envfrom' unchanged", again.Stdout);
        Assert.Contains("configmap:envcm, secret:envsec (prefix S_), configmap:not-there (optional)", (await Cli("service", "describe", "envfrom")).Stdout);

        // Env is read when a container starts: a running instance keeps what it got (as in Kubernetes).
        Assert.Equal(0, (await Cli("configmap", "update", "envcm", "--from-literal", "LOG_LEVEL=info")).ExitCode);
        Assert.Equal("debug", Env((await Daemon.GetAsync(Daemon.Host("envfrom"), "/env")).Body)["LOG_LEVEL"]);

        // A ConfigMap that does not exist fails the new revision with Kubernetes' reason; the old one keeps serving.
        var broken = await Cli("service", "update", "envfrom", "--env-from", "configmap:nosuch", "--wait-timeout", "30");
        Assert.NotEqual(0, broken.ExitCode);
        var describe = (await Cli("revision", "describe", "envfrom-00002")).Stdout;
        Assert.Contains("CreateContainerConfigError", broken + describe);
        Assert.Contains("configmap \"nosuch\" not found", broken + describe);
        Assert.Equal(200, (await Daemon.GetAsync(Daemon.Host("envfrom"), "/env")).Status);

        var seen = new StringBuilder();
        foreach (var args in new[] { new[] { "service", "describe", "envfrom", "-o", "yaml" }, ["export", "envfrom"], ["revision", "describe", "envfrom-00001"], ["logs", "envfrom"] })
            seen.Append(await Cli(args));
        seen.Append(Daemon.Logs);
        Assert.DoesNotContain(secretValue, seen.ToString());

        await Cli("service", "delete", "envfrom");
        await Cli("configmap", "delete", "envcm");
        await Cli("secret", "delete", "envsec");
    }

    [Fact]
    public async Task Export_writes_referenced_config_maps_warns_of_secrets_and_revisions_validates_and_applies_back_unchanged()
    {
        const string secretValue = "pw-Lm3-export";
        Assert.Equal(0, (await Cli("secret", "create", "expsec", "--from-literal", "password=" + secretValue)).ExitCode);
        Assert.Equal(0, (await Cli("configmap", "create", "expcm", "--from-literal", "LOG_LEVEL=debug")).ExitCode);
        Assert.True((await Cli("service", "create", "exp", "--image", Images.TestFn, "--env-from", "configmap:expcm", "--env-secret", "PW=expsec:password")).ExitCode == 0);
        Assert.True((await Cli("service", "update", "exp", "--env", "V=2")).ExitCode == 0);
        var split = await Cli("service", "update", "exp", "--traffic", "exp-00001=30", "--traffic", "@latest=70", "--tag", "exp-00001=old");
        Assert.True(split.ExitCode == 0, split.ToString());

        var plain = await Cli("export", "exp");
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("Warning: service 'exp' references secret(s) expsec; secrets are not exported", plain.Stderr);
        Assert.Contains("exp-00001, which a cluster would lack; export with --with-revisions", plain.Stderr);
        Assert.True(plain.Stdout.IndexOf("kind: ConfigMap", StringComparison.Ordinal) < plain.Stdout.IndexOf("kind: Service", StringComparison.Ordinal));
        Assert.DoesNotContain(secretValue, plain.ToString());
        await CrdSchemas.AssertValidAsync(plain.Stdout);

        var replay = await Cli("export", "exp", "--with-revisions");
        Assert.Equal(0, replay.ExitCode);
        Assert.DoesNotContain("--with-revisions", replay.Stderr);
        Assert.Contains("name: exp-00001", replay.Stdout);
        var lines = await CrdSchemas.AssertValidAsync(replay.Stdout);
        Assert.Equal(2, lines.Count(l => l == "OK Service/exp"));

        var again = await Daemon.CliWithInputAsync(plain.Stdout, "apply", "-f", "-");
        Output.WriteLine(again.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("ConfigMap 'expcm' unchanged", again.Stdout);
        Assert.Contains("Service 'exp' unchanged", again.Stdout);
        var replayed = await Daemon.CliWithInputAsync(replay.Stdout, "apply", "-f", "-");
        Output.WriteLine(replayed.ToString());
        Assert.True(replayed.ExitCode == 0, replayed.ToString());
        Assert.Contains("Revision 'exp-00001' unchanged", replayed.Stdout);
        Assert.Contains("Service 'exp' unchanged", replayed.Stdout);

        await Cli("service", "delete", "exp");
        await Cli("configmap", "delete", "expcm");
        await Cli("secret", "delete", "expsec");
    }
}
