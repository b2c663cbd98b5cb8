using System.Net;
using System.Text;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>Secrets are stored owner-only and a value never comes back out: not from the API, the CLI or the log.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecretTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Value = "s3cret-Xq7-value";
    private const string Secrets = "/api/v1/namespaces/default/secrets";

    [Fact]
    public async Task A_secret_value_never_leaves_the_daemon()
    {
        var created = await Cli("secret", "create", "db", "--from-literal", "password=" + Value, "--from-literal", "user=app");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("password, user", created.Stdout);

        var seen = new StringBuilder(created.ToString());
        foreach (var args in new[] { new[] { "secret", "list" }, ["secret", "list", "-o", "json"], ["secret", "list", "-o", "yaml"] })
        {
            var r = await Cli(args);
            Assert.Equal(0, r.ExitCode);
            seen.Append(r);
        }
        Assert.Contains("password,user", (await Cli("secret", "list")).Stdout);

        foreach (var path in new[] { "/api/v1/secrets", Secrets, $"{Secrets}/db" })
            seen.Append(await Daemon.Api.GetStringAsync(path));
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(Value));
        using (var put = await Daemon.Api.PutAsync($"{Secrets}/db", new StringContent(
                   """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":""" + "\"" + base64 + "\"" + """},"stringData":{"user":"app"}}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            seen.Append(await put.Content.ReadAsStringAsync());
        }

        // Bad input names the field and echoes no value.
        using (var bad = await Daemon.Api.PostAsync(Secrets, new StringContent(
                   """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bad"},"data":{"k":"not base64!"}}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("data.k", await bad.Content.ReadAsStringAsync());
        }
        var again = await Cli("secret", "create", "db", "--from-literal", "password=other");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);

        var deleted = await Cli("secret", "delete", "db");
        Assert.Equal(0, deleted.ExitCode);
        seen.Append(deleted);

        var everything = seen.ToString() + Daemon.Logs;
        Assert.DoesNotContain(Value, everything);
        Assert.DoesNotContain(base64, everything);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Daemon.StateDir, "secrets.json")));
    }

    [Fact]
    public async Task A_service_gets_a_secret_as_env_and_its_resources_only_reference_it()
    {
        const string value = "pw-Zk4-from-secret";
        const string fromValue = "tok-Qw9-from-envfrom"; // every key of a secret through envFrom
        Assert.Equal(0, (await Cli("secret", "create", "dbenv", "--from-literal", "password=" + value)).ExitCode);
        Assert.Equal(0, (await Cli("secret", "create", "dbfrom", "--from-literal", "API_TOKEN=" + fromValue)).ExitCode);
        var created = await Cli("service", "create", "secenv", "--image", Images.TestFn, "--env-secret", "DB_PASSWORD=dbenv:password", "--env", "PLAIN=yes",
            "--env-from", "secret:dbfrom");
        Assert.True(created.ExitCode == 0, created.ToString());

        var (status, env) = await Daemon.GetAsync(Daemon.Host("secenv"), "/env");
        Assert.Equal(200, status);
        Assert.Contains($"\"DB_PASSWORD\":\"{value}\"", env); // the function itself sees the value
        Assert.Contains($"\"API_TOKEN\":\"{fromValue}\"", env);

        var seen = new StringBuilder();
        foreach (var args in new[] { new[] { "service", "describe", "secenv", "-o", "yaml" }, ["service", "describe", "secenv", "-o", "json"], ["export", "secenv"], ["revision", "describe", "secenv-00001", "-o", "yaml"] })
        {
            var r = await Cli(args);
            Assert.Equal(0, r.ExitCode);
            seen.Append(r);
        }
        Assert.Contains("secretKeyRef", seen.ToString());
        Assert.Contains("secretRef", seen.ToString());
        foreach (var args in new[] { new[] { "service", "list" }, ["revision", "list"], ["route", "list"], ["route", "describe", "secenv", "-o", "json"], ["secret", "list", "-o", "json"], ["logs", "secenv"] })
            seen.Append(await Cli(args));
        // Every GET endpoint of the control API.
        const string serving = "/apis/serving.knative.dev/v1";
        foreach (var path in new[]
                 {
                     $"{serving}/services", $"{serving}/namespaces/default/services", $"{serving}/namespaces/default/services/secenv",
                     $"{serving}/revisions", $"{serving}/namespaces/default/revisions", $"{serving}/namespaces/default/revisions/secenv-00001",
                     $"{serving}/configurations", $"{serving}/namespaces/default/configurations", $"{serving}/namespaces/default/configurations/secenv",
                     $"{serving}/routes", $"{serving}/namespaces/default/routes", $"{serving}/namespaces/default/routes/secenv",
                     "/apis/eventing.knative.dev/v1/brokers", "/apis/eventing.knative.dev/v1/triggers", "/apis/sources.knative.dev/v1/pingsources",
                     "/api/v1/secrets", "/api/v1/namespaces/default/secrets", "/api/v1/namespaces/default/secrets/dbenv",
                     $"{serving}/namespaces/default/services/secenv/logs",
                     "/version", "/metrics", "/healthz", "/readyz",
                 })
            seen.Append(await Daemon.Api.GetStringAsync(path));
        seen.Append(Daemon.Logs);
        Assert.DoesNotContain(value, seen.ToString());
        Assert.DoesNotContain(fromValue, seen.ToString());

        // A reference to a key that does not exist fails the revision, naming it; the old revision keeps serving.
        var broken = await Cli("service", "update", "secenv", "--env-secret", "DB_PASSWORD=dbenv:nope", "--wait-timeout", "30");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("CreateContainerConfigError", broken.ToString() + (await Cli("revision", "describe", "secenv-00002")).Stdout);
        Assert.Equal(200, (await Daemon.GetAsync(Daemon.Host("secenv"), "/env")).Status);
        await Cli("service", "delete", "secenv");
        await Cli("secret", "delete", "dbenv");
        await Cli("secret", "delete", "dbfrom");
    }
}
