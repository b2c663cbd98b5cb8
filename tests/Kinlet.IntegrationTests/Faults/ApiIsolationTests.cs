using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Kinlet.IntegrationTests.Infrastructure;

namespace Kinlet.IntegrationTests.Faults;

/// <summary>
/// Every route the daemon maps (read from its sources, so a new endpoint is covered the day it is added) refuses a
/// request without the token or with a wrong one, and none of them can be reached through the ingress port.
/// </summary>
public sealed partial class ApiIsolationTests(DaemonFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : DaemonTest(fixture, output)
{
    // The route groups of src/Kinlet.Daemon, by the variable the Map calls are made on, with every prefix a group is
    // mapped under (Istio's networking group once per served version, with the same routes).
    private static readonly Dictionary<string, string[]> Prefixes = new(StringComparer.Ordinal)
    {
        ["app"] = [""],
        ["s"] = ["/apis/serving.knative.dev/v1"],
        ["e"] = ["/apis/eventing.knative.dev/v1"],
        ["src"] = ["/apis/sources.knative.dev/v1"],
        ["core"] = ["/api/v1"],
        ["g"] = ["/apis/kinlet.dev/v1"],
        ["n"] = ["/apis/networking.istio.io/v1", "/apis/networking.istio.io/v1beta1", "/apis/networking.istio.io/v1alpha3"],
    };

    private static readonly string[] Open = ["/healthz", "/readyz"];

    public static List<(HttpMethod Method, string Path)> Routes()
    {
        var routes = new List<(HttpMethod, string)>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root(), "src", "Kinlet.Daemon"), "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match m in MapCall().Matches(File.ReadAllText(file)))
            {
                var group = m.Groups["group"].Value;
                Assert.True(Prefixes.ContainsKey(group), $"{file}: routes mapped on '{group}': add its prefix to {nameof(ApiIsolationTests)}");
                var path = m.Groups["path"].Value.Replace("{ns}", "default").Replace("{name}", "x");
                var method = new HttpMethod(m.Groups["method"].Value.ToUpperInvariant());
                foreach (var prefix in Prefixes[group]) routes.Add((method, prefix + path));
            }
        }
        // Paths nobody maps must not tell "does not exist" from "not allowed" either.
        routes.Add((HttpMethod.Get, "/apis/serving.knative.dev/v1/namespaces/default/nothing"));
        routes.Add((HttpMethod.Get, "/"));
        return routes;
    }

    [Fact]
    public async Task Every_control_path_needs_the_token()
    {
        var routes = Routes();
        Assert.True(routes.Count > 45, $"only {routes.Count} routes found: is the Map-call pattern still right?");
        using var anonymous = new HttpClient { BaseAddress = new Uri(Daemon.ApiUrl) };
        foreach (var (method, path) in routes)
        {
            foreach (var token in new[] { null, "wrong-token", Daemon.Token + "x" })
            {
                using var request = new HttpRequestMessage(method, path);
                if (method != HttpMethod.Get && method != HttpMethod.Delete) request.Content = new StringContent("{}", MediaTypeHeaderValue.Parse("application/json"));
                if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await anonymous.SendAsync(request);
                var expected = Open.Contains(path) ? HttpStatusCode.OK : HttpStatusCode.Unauthorized;
                Assert.True(response.StatusCode == expected, $"{method} {path} with token '{token}': {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task No_control_path_answers_on_the_ingress_port_even_with_the_token()
    {
        foreach (var (method, path) in Routes())
        {
            foreach (var host in new[] { $"localhost:{Daemon.IngressPort}", $"127.0.0.1:{Daemon.ApiPort}", "localhost" })
            {
                using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{Daemon.IngressPort}{path}");
                request.Headers.Host = host;
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Daemon.Token);
                if (method != HttpMethod.Get && method != HttpMethod.Delete) request.Content = new StringContent("{}", MediaTypeHeaderValue.Parse("application/json"));
                using var response = await Daemon.Ingress.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (path == "/healthz" && response.IsSuccessStatusCode) continue; // the ingress has its own health check
                Assert.False(response.IsSuccessStatusCode, $"{method} {path} (Host {host}) answered {(int)response.StatusCode} on the ingress: {body}");
                Assert.DoesNotContain("\"apiVersion\"", body);
                Assert.DoesNotContain("kinlet_", body);
            }
        }
    }

    [GeneratedRegex(@"\b(?<group>[a-z]+)\.Map(?<method>Get|Post|Put|Delete)\(""(?<path>[^""]*)""")]
    private static partial Regex MapCall();
}
