using System.Net;
using System.Text;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>
/// Istio VirtualService and DestinationRule on the real engine: one daemon, one two-revision service for the rules
/// (v1 takes the traffic, v2 is tagged canary), one two-instance service for session affinity.
/// </summary>
public sealed class TrafficPolicyTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Policy = """
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata: {name: shop}
        spec:
          host: shop
          subsets:
          - name: v2
            labels: {serving.knative.dev/revision: shop-00002}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop}
        spec:
          hosts: [shop.localhost, shop.default.svc.cluster.local]
          http:
          - name: beta
            match:
            - headers: {x-beta: {exact: "1"}}
            - headers: {cookie: {regex: "^(.*?;\\s*)?(group=b)(;.*)?$"}}
            route: [{destination: {host: shop, subset: v2}}]
            headers: {response: {set: {x-rule: beta}}}
          - name: api
            match: [{uri: {prefix: /v2/}}]
            rewrite: {uri: /}
            route:
            - destination: {host: shop}
              headers: {request: {set: {x-via: api-rule}}}
          - name: default
            route: [{destination: {host: shop}}]
        """;

    private Task<HttpResponseMessage> SendAsync(string service, string path, params (string Name, string Value)[] headers) =>
        Daemon.SendAsync(HttpMethod.Get, service, path, null, headers);

    private async Task<string> BodyAsync(string service, string path, params (string Name, string Value)[] headers)
    {
        using var response = await SendAsync(service, path, headers);
        return (await response.Content.ReadAsStringAsync()).Trim();
    }

    [Fact]
    public async Task Header_cookie_and_path_rules_rewrite_and_tag_header_route_between_two_revisions()
    {
        Assert.Equal(0, (await Cli("service", "create", "shop", "--image", Images.TestFn, "--env", "TARGET=v1")).ExitCode);
        var update = await Cli("service", "update", "shop", "--env", "TARGET=v2", "--traffic", "shop-00001=100", "--tag", "@latest=canary");
        Assert.True(update.ExitCode == 0, update.ToString());
        var file = Path.Combine(Daemon.StateDir, "shop-policy.yaml");
        await File.WriteAllTextAsync(file, Policy);
        var apply = await Cli("apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("VirtualService 'shop' created", apply.Stdout + apply.Stderr);

        Assert.Equal("Hello v1!", await BodyAsync("shop", "/"));
        using (var beta = await SendAsync("shop", "/", ("x-beta", "1")))
        {
            Assert.Equal("Hello v2!", (await beta.Content.ReadAsStringAsync()).Trim());
            Assert.Equal("beta", beta.Headers.GetValues("x-rule").Single());
        }
        Assert.Equal("Hello v2!", await BodyAsync("shop", "/", ("Cookie", "a=1; group=b")));
        Assert.Equal("Hello v1!", await BodyAsync("shop", "/", ("Cookie", "xgroup=b")));
        // Knative's tag header picks the tag when the rule leads to the service itself.
        Assert.Equal("Hello v2!", await BodyAsync("shop", "/", ("Knative-Serving-Tag", "canary")));

        var rewritten = await BodyAsync("shop", "/v2/headers?q=1");
        Assert.Contains("\"path\":\"/headers\"", rewritten);
        Assert.Contains("\"query\":\"q=1\"", rewritten);
        Assert.Contains("\"x-via\":\"api-rule\"", rewritten);

        var again = await Cli("apply", "-f", file);
        Assert.Contains("VirtualService 'shop' unchanged", again.Stdout + again.Stderr);
        Assert.Contains("DestinationRule 'shop' unchanged", again.Stdout + again.Stderr);

        var describe = await Cli("route", "describe", "shop");
        Assert.Equal(0, describe.ExitCode);
        Assert.Contains("default/shop", describe.Stdout);
        Assert.Matches(@"0\s+beta\s+.*\s2\s*$", describe.Stdout.Split('\n').First(l => l.Contains(" beta ", StringComparison.Ordinal)));

        // Bad manifests are 400s naming the field, straight from the API.
        Assert.Equal("spec.http[0].match[0].uri.regex", await RejectedFieldAsync("""
            {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"bad"},
             "spec":{"hosts":["other"],"http":[{"match":[{"uri":{"regex":"(a"}}],"route":[{"destination":{"host":"shop"}}]}]}}
            """));
        Assert.Equal("spec.http[0].route[0].destination.subset", await RejectedFieldAsync("""
            {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"bad"},
             "spec":{"hosts":["other"],"http":[{"route":[{"destination":{"host":"shop","subset":"v9"}}]}]}}
            """));
        Assert.Equal("spec.http[0].route", await RejectedFieldAsync("""
            {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"bad"},
             "spec":{"hosts":["other"],"http":[{"route":[{"destination":{"host":"shop"},"weight":0}]}]}}
            """));

        // Without the VirtualService the service's own split is back (and the tag header still works).
        Assert.Equal(0, (await Cli("vs", "delete", "shop")).ExitCode);
        Assert.Equal("Hello v1!", await BodyAsync("shop", "/", ("x-beta", "1")));
        Assert.Equal("Hello v2!", await BodyAsync("shop", "/", ("Knative-Serving-Tag", "canary")));
    }

    private async Task<string?> RejectedFieldAsync(string json)
    {
        using var response = await Daemon.Api.PostAsync("/apis/networking.istio.io/v1/namespaces/default/virtualservices",
            new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Output.WriteLine(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("field").GetString();
    }

    [Fact]
    public async Task Consistent_hash_keeps_each_user_on_one_of_two_instances()
    {
        var create = await Cli("service", "create", "sticky", "--image", Images.TestFn, "--scale-min", "2");
        Assert.True(create.ExitCode == 0, create.ToString());
        var file = Path.Combine(Daemon.StateDir, "sticky-policy.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: sticky}
            spec:
              host: sticky
              trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
            """);
        Assert.Equal(0, (await Cli("apply", "-f", file)).ExitCode);

        // Both instances ready: until then every user lands on the one there is.
        await Eventually.TrueAsync(async () =>
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < 20; i++) seen.Add(await BodyAsync("sticky", "/whoami", ("x-user", "probe" + i)));
            return seen.Count == 2;
        }, "both instances of sticky answering", Timeouts.Test);

        var instances = new HashSet<string>();
        for (var u = 0; u < 16; u++)
        {
            var first = await BodyAsync("sticky", "/whoami", ("x-user", "user" + u));
            instances.Add(first);
            for (var i = 0; i < 5; i++) Assert.Equal(first, await BodyAsync("sticky", "/whoami", ("x-user", "user" + u)));
        }
        Assert.Equal(2, instances.Count);
    }
}
