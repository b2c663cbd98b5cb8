using System.Collections.Frozen;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Kinlet.Serving.TrafficPolicy;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.Tests.TrafficPolicy;

/// <summary>The compiled policy decides on a DefaultHttpContext, against fake inputs: service web with v1 (100 %), v2 tagged canary.</summary>
public sealed class PolicyCompilerTests
{
    private readonly RevisionState _v1 = InstanceStateTests.Revision(name: "web-00001");
    private readonly RevisionState _v2 = InstanceStateTests.Revision(name: "web-00002");
    private readonly FakeInputs _inputs;

    public PolicyCompilerTests() => _inputs = new FakeInputs(_v1, _v2);

    private CompiledPolicy Compile(string http, string? subsets = null)
    {
        var vs = ManifestReader.Bind<VirtualService>(ManifestReader.Read($"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {"{"}name: web, namespace: default, uid: u1, generation: 1{"}"}
            spec:
              hosts: [web]
              http:
            {http}
            """)[0].Body).Value;
        if (subsets is not null)
            _inputs.Rule = ManifestReader.Bind<DestinationRule>(ManifestReader.Read($"""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {"{"}name: web, namespace: default{"}"}
                spec:
                  host: web
                {subsets}
                """)[0].Body).Value;
        return new PolicyCompiler(new RuleStatsBook()).Compile(new HostTarget("default", "web", null), vs, _inputs);
    }

    private static DefaultHttpContext Request(string path = "/", string method = "GET", params (string, string)[] headers)
    {
        var context = new DefaultHttpContext();
        var q = path.IndexOf('?', StringComparison.Ordinal);
        context.Request.Path = q < 0 ? path : path[..q];
        if (q >= 0) context.Request.QueryString = new QueryString(path[q..]);
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("web.localhost:8080");
        foreach (var (k, v) in headers) context.Request.Headers.Append(k, v);
        return context;
    }

    private const string Subsets = """
          subsets:
          - {name: v1, labels: {serving.knative.dev/revision: web-00001}}
          - {name: canary, labels: {serving.knative.dev/tag: canary}}
          - {name: gone, labels: {serving.knative.dev/revision: web-00009}}
        """;

    private const string Canary = """
          - name: beta
            match:
            - headers: {x-beta: {exact: "1"}}
            - headers: {cookie: {regex: "^(.*?;\\s*)?(group=b)(;.*)?$"}}
            route: [{destination: {host: web, subset: canary}}]
          - name: api
            match: [{uri: {prefix: /v2/}, method: {exact: GET}}]
            rewrite: {uri: /}
            route: [{destination: {host: canary-web}}]
          - name: default
            route: [{destination: {host: web.default.svc.cluster.local}}]
        """;

    [Fact]
    public void First_matching_rule_wins_and_blocks_are_ORed()
    {
        var policy = Compile(Canary, Subsets);
        Assert.Same(_v2, policy.Decide(Request(headers: ("x-beta", "1"))).Revision);
        Assert.Same(_v2, policy.Decide(Request(headers: ("Cookie", "a=1; group=b"))).Revision);
        Assert.Same(_v1, policy.Decide(Request(headers: ("Cookie", "xgroup=b"))).Revision);
        Assert.Same(_v1, policy.Decide(Request(headers: ("x-beta", "2"))).Revision);
        Assert.Equal([2, 0, 2], policy.Rules.Select(r => (int)r.Stats.Requests));
    }

    [Fact]
    public void Conditions_in_one_block_AND()
    {
        var policy = Compile(Canary, Subsets);
        Assert.Same(_v2, policy.Decide(Request("/v2/items")).Revision);
        Assert.Same(_v1, policy.Decide(Request("/v2/items", "POST")).Revision);
    }

    [Fact]
    public void A_prefix_rewrite_replaces_the_matched_prefix_and_keeps_the_query()
    {
        var policy = Compile(Canary, Subsets);
        var context = Request("/v2/items?x=1");
        policy.Decide(context);
        Assert.Equal("/items", context.Request.Path.Value);
        Assert.Equal("?x=1", context.Request.QueryString.Value);
    }

    [Theory]
    [InlineData("{uri: {exact: /a}}", "/b", "/a", "/b")]
    [InlineData("{uri: {regex: \"/a/[0-9]+\"}}", "/b", "/a/12", "/b")]
    [InlineData("{method: {exact: GET}}", "/b", "/x", "/bx")]
    public void A_rewrite_after_an_exact_regex_or_no_uri_match_follows_Envoy(string match, string uri, string path, string expected)
    {
        var policy = Compile($"  - match: [{match}]\n    rewrite: {{uri: {uri}}}\n    route: [{{destination: {{host: web}}}}]");
        var context = Request(path);
        policy.Decide(context);
        Assert.Equal(expected, context.Request.Path.Value);
    }

    [Fact]
    public void A_regex_rewrite_uses_RE2_group_references()
    {
        var policy = Compile("  - rewrite: {uriRegexRewrite: {match: \"^/service/([^/]+)(/.*)$\", rewrite: \"\\\\2/\\\\1\"}}\n    route: [{destination: {host: web}}]");
        var context = Request("/service/x/y");
        policy.Decide(context);
        Assert.Equal("/y/x", context.Request.Path.Value);
    }

    [Fact]
    public void Authority_rewrite_changes_the_host_the_function_sees()
    {
        var policy = Compile("  - rewrite: {authority: other.example}\n    route: [{destination: {host: web}}]");
        var context = Request();
        policy.Decide(context);
        Assert.Equal("other.example", context.Request.Host.Value);
    }

    [Fact]
    public void Unmatched_requests_get_a_404_reply_and_are_counted()
    {
        var policy = Compile("  - match: [{uri: {prefix: /only}}]\n    route: [{destination: {host: web}}]");
        var decision = policy.Decide(Request("/other"));
        Assert.Null(decision.Revision);
        Assert.NotNull(decision.Reply);
        Assert.Equal(1, policy.Unmatched);
    }

    [Fact]
    public void Knative_tag_header_picks_the_tag_when_the_route_leads_to_the_service()
    {
        var policy = Compile(Canary, Subsets);
        Assert.Same(_v2, policy.Decide(Request(headers: (KnownKeys.TagHeader, "canary"))).Revision);
        // An unknown tag falls back to the split, as Knative does.
        Assert.Same(_v1, policy.Decide(Request(headers: (KnownKeys.TagHeader, "nope"))).Revision);
    }

    [Fact]
    public void Knative_tag_header_does_not_override_a_named_subset()
    {
        var policy = Compile("  - route: [{destination: {host: web, subset: v1}}]", Subsets);
        Assert.Same(_v1, policy.Decide(Request(headers: (KnownKeys.TagHeader, "canary"))).Revision);
    }

    [Fact]
    public void A_subset_that_selects_no_revision_and_a_host_that_names_no_service_are_503s_with_the_reason()
    {
        var gone = Compile("  - route: [{destination: {host: web, subset: gone}}]", Subsets).Decide(Request());
        Assert.Null(gone.Revision);
        Assert.Contains("selects no revision", gone.Unavailable);
        var missing = Compile("  - route: [{destination: {host: nothing}}]").Decide(Request());
        Assert.Contains("names no service", missing.Unavailable);
    }

    [Fact]
    public void Weights_split_between_destinations()
    {
        var policy = Compile("  - route:\n    - {destination: {host: web, subset: v1}, weight: 25}\n    - {destination: {host: web, subset: canary}, weight: 75}", Subsets);
        var v2 = 0;
        for (var i = 0; i < 2000; i++)
            if (ReferenceEquals(policy.Decide(Request()).Revision, _v2)) v2++;
        Assert.InRange(v2, 1300, 1700);
    }

    [Fact]
    public void Header_edits_remove_then_set_then_add_on_requests_and_responses()
    {
        var policy = Compile("""
              - headers:
                  request: {remove: [x-drop], set: {x-set: a}, add: {x-add: b}}
                route:
                - destination: {host: web}
                  headers: {request: {set: {x-dest: c}}, response: {set: {x-from: kinlet}}}
            """);
        var context = Request(headers: [("x-drop", "1"), ("x-add", "first")]);
        policy.Decide(context);
        var headers = context.Request.Headers;
        Assert.False(headers.ContainsKey("x-drop"));
        Assert.Equal("a", headers["x-set"]);
        Assert.Equal("first,b", headers["x-add"].ToString());
        Assert.Equal("c", headers["x-dest"]);
    }

    [Fact]
    public void Query_params_without_headers_and_ignore_uri_case_match_as_in_Istio()
    {
        var policy = Compile("""
              - match: [{queryParams: {debug: {exact: "1"}}}]
                route: [{destination: {host: web, subset: canary}}]
              - match: [{uri: {prefix: /API}, ignoreUriCase: true, withoutHeaders: {x-internal: {}}}]
                route: [{destination: {host: web, subset: canary}}]
              - route: [{destination: {host: web}}]
            """, Subsets);
        Assert.Same(_v2, policy.Decide(Request("/x?debug=1")).Revision);
        Assert.Same(_v1, policy.Decide(Request("/x?debug=2")).Revision);
        Assert.Same(_v2, policy.Decide(Request("/api/items")).Revision);
        Assert.Same(_v1, policy.Decide(Request("/api/items", headers: ("x-internal", "yes"))).Revision);
    }

    [Fact]
    public void Authority_matches_with_or_without_the_port()
    {
        var policy = Compile("  - match: [{authority: {exact: web.localhost}}]\n    route: [{destination: {host: web, subset: canary}}]\n  - route: [{destination: {host: web}}]", Subsets);
        Assert.Same(_v2, policy.Decide(Request()).Revision);
    }

    [Fact]
    public void Cookie_helper_matches_the_cookie_in_any_position_only()
    {
        var regex = Kinlet.Core.Validation.IstioRegex.Compile(CookieMatch.Regex("group", "b"));
        Assert.Matches(regex, "group=b");
        Assert.Matches(regex, "a=1; group=b; c=2");
        Assert.Matches(regex, "a=1;group=b");
        Assert.DoesNotMatch(regex, "xgroup=b");
        Assert.DoesNotMatch(regex, "group=bb");
        Assert.DoesNotMatch(regex, "a=group=b");
    }

    [Fact]
    public void Consistent_hash_on_a_header_sticks_to_one_instance()
    {
        var a = InstanceStateTests.ReadyInstance(_v1, 1);
        var b = InstanceStateTests.ReadyInstance(_v1, 2);
        var c = InstanceStateTests.ReadyInstance(_v1, 3);
        var policy = Compile("  - route: [{destination: {host: web, subset: v1}}]",
            Subsets + "\n  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}");
        foreach (var user in new[] { "alice", "bob", "carol", "dave" })
        {
            var context = Request(headers: ("x-user", user));
            var decision = policy.Decide(context);
            var first = decision.Picker!.Acquire(context, decision.Revision!)!;
            for (var i = 0; i < 20; i++)
            {
                var again = decision.Picker.Acquire(context, decision.Revision!);
                Assert.Same(first, again);
                again!.Release();
            }
            first.Release();
        }
        Assert.All(new[] { a, b, c }, i => Assert.Equal(0, i.InFlight));
    }

    [Fact]
    public void Consistent_hash_moves_only_the_keys_of_an_instance_that_leaves()
    {
        var instances = Enumerable.Range(1, 3).Select(p => InstanceStateTests.ReadyInstance(_v1, p)).ToArray();
        var policy = Compile("  - route: [{destination: {host: web}}]", "  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}");
        InstanceState Pick(string user)
        {
            var context = Request(headers: ("x-user", user));
            var d = policy.Decide(context);
            var i = d.Picker!.Acquire(context, d.Revision!)!;
            i.Release();
            return i;
        }
        var users = Enumerable.Range(0, 300).Select(i => "user" + i).ToArray();
        var before = users.ToDictionary(u => u, Pick);
        Assert.All(instances, i => Assert.InRange(before.Values.Count(v => v == i), 50, 150));
        _v1.RemoveReady(instances[2]);
        foreach (var u in users)
            if (before[u] != instances[2]) Assert.Same(before[u], Pick(u));
    }

    [Fact]
    public void A_cookie_hash_with_a_ttl_makes_the_cookie_when_it_is_missing()
    {
        InstanceStateTests.ReadyInstance(_v1, 1);
        InstanceStateTests.ReadyInstance(_v1, 2);
        var policy = Compile("  - route: [{destination: {host: web}}]", "  trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {name: sticky, ttl: 60s}}}}");
        var context = Request();
        var decision = policy.Decide(context);
        Assert.NotNull(decision.Picker!.Acquire(context, decision.Revision!));
    }

    [Theory]
    [InlineData("ROUND_ROBIN")]
    [InlineData("RANDOM")]
    [InlineData("LEAST_REQUEST")]
    public void Simple_balancers_take_a_free_slot(string simple)
    {
        InstanceStateTests.ReadyInstance(_v1, 1);
        InstanceStateTests.ReadyInstance(_v1, 2);
        var policy = Compile("  - route: [{destination: {host: web}}]", $"  trafficPolicy: {{loadBalancer: {{simple: {simple}}}}}");
        var context = Request();
        var decision = policy.Decide(context);
        Assert.NotNull(decision.Picker!.Acquire(context, decision.Revision!));
    }

    [Fact]
    public async Task Redirect_and_direct_response_answer_without_a_revision()
    {
        var policy = Compile("""
              - match: [{uri: {exact: /old}}]
                redirect: {uri: /new, redirectCode: 308}
              - directResponse: {status: 503, body: {string: down}}
            """);
        var redirect = Request("/old?a=1");
        var decision = policy.Decide(redirect);
        await decision.Reply!.WriteAsync(redirect);
        Assert.Equal(308, redirect.Response.StatusCode);
        Assert.Equal("http://web.localhost:8080/new?a=1", redirect.Response.Headers.Location);
        var direct = Request("/x");
        direct.Response.Body = new MemoryStream();
        await policy.Decide(direct).Reply!.WriteAsync(direct);
        Assert.Equal(503, direct.Response.StatusCode);
        Assert.Equal("down", System.Text.Encoding.UTF8.GetString(((MemoryStream)direct.Response.Body).ToArray()));
    }

    private sealed class FakeInputs : IPolicyInputs
    {
        private readonly RouteEntry _main;
        private readonly FrozenDictionary<string, RouteEntry> _tags;
        private readonly Dictionary<string, RevisionState> _byName;
        private readonly Revision[] _revisions;

        public FakeInputs(RevisionState v1, RevisionState v2)
        {
            _main = new RouteEntry("default", "web", null, [new RouteTarget(v1, 100, 100)], null);
            _tags = new Dictionary<string, RouteEntry> { ["canary"] = new("default", "web", "canary", [new RouteTarget(v2, 100, 100)], null) }.ToFrozenDictionary();
            _byName = new() { [v1.Key.Name] = v1, [v2.Key.Name] = v2 };
            _revisions = [Rev(v1.Key.Name, 1), Rev(v2.Key.Name, 2)];
        }

        public DestinationRule? Rule { get; set; }

        private static Revision Rev(string name, int generation) => new()
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default", Labels = new() { [KnownKeys.ConfigurationGenerationLabel] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
        };

        public HostTarget? Resolve(string host, string ns) =>
            PolicyHosts.Resolve(host, ns, "localhost", (n, s) => n == "default" && s == "web" ? _tags.Keys : null);

        public RouteEntry? Entry(HostTarget target) => target.Tag is null ? _main : _tags.GetValueOrDefault(target.Tag);

        public FrozenDictionary<string, RouteEntry> Tags(string ns, string service) => _tags;

        public DestinationRule? RuleFor(HostTarget target) => target.Tag is null ? Rule : null;

        public IReadOnlyList<Revision> Revisions(string ns, string service) => _revisions;

        public IReadOnlyList<(string Tag, string Revision)> TagTargets(string ns, string service) => [("canary", "web-00002")];

        public RevisionState? Revision(string ns, string name) => _byName.GetValueOrDefault(name);
    }
}
