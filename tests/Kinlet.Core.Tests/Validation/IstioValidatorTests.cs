using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Core.Tests.Validation;

public sealed class IstioValidatorTests
{
    private const string Canary = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web}
        spec:
          hosts: [web]
          http:
          - name: beta
            match:
            - headers: {x-beta: {exact: "1"}}
            - headers: {cookie: {regex: "^(.*?;)?(group=b)(;.*)?$"}}
            route:
            - destination: {host: web, subset: v2}
          - name: v2-path
            match: [{uri: {prefix: /v2/}}]
            rewrite: {uri: /}
            route: [{destination: {host: web}}]
          - name: default
            route:
            - destination: {host: web}
              weight: 90
            - destination: {host: canary-web}
              weight: 10
        """;

    private static VirtualService Vs(string yaml) => ManifestReader.Bind<VirtualService>(ManifestReader.Read(yaml)[0].Body).Value;

    private static DestinationRule Dr(string yaml) => ManifestReader.Bind<DestinationRule>(ManifestReader.Read(yaml)[0].Body).Value;

    private static void Rejects(IstioCheck check, string field, string? message = null)
    {
        var match = check.Errors.FirstOrDefault(e => e.Field == field && (message is null || e.Message.Contains(message, StringComparison.Ordinal)));
        Assert.True(match is not null, $"expected an error on {field}, got: [{string.Join("; ", check.Errors)}]");
    }

    private static string Rule(string rule) => $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {"{"}name: web{"}"}
        spec:
          hosts: [web]
          http:
          - {rule}
        """;

    [Fact]
    public void Accepts_a_canary_by_header_cookie_and_path()
    {
        var check = IstioValidator.Validate(Vs(Canary));
        Assert.Empty(check.Errors);
        Assert.Empty(check.Warnings);
    }

    [Theory]
    [InlineData("networking.istio.io/v1beta1")]
    [InlineData("networking.istio.io/v1alpha3")]
    public void Accepts_the_older_versions_of_the_same_shape(string version) =>
        Assert.Empty(IstioValidator.Validate(Vs(Canary.Replace("networking.istio.io/v1", version, StringComparison.Ordinal))).Errors);

    [Fact]
    public void A_regex_that_does_not_compile_names_its_field() =>
        Rejects(IstioValidator.Validate(Vs(Rule("""{match: [{uri: {regex: "/(a"}}], route: [{destination: {host: web}}]}"""))), "spec.http[0].match[0].uri.regex", "RE2");

    [Fact]
    public void A_backreference_is_refused_as_RE2_does() =>
        Rejects(IstioValidator.Validate(Vs(Rule("""{match: [{headers: {x: {regex: "(a)\\1"}}}], route: [{destination: {host: web}}]}"""))), "spec.http[0].match[0].headers.x.regex");

    [Fact]
    public void Weights_that_add_up_to_zero_are_refused() =>
        Rejects(IstioValidator.Validate(Vs(Rule("{route: [{destination: {host: web}, weight: 0}]}"))), "spec.http[0].route", "add up to 0");

    [Fact]
    public void Weights_that_do_not_add_up_to_100_are_refused() =>
        Rejects(IstioValidator.Validate(Vs(Rule("{route: [{destination: {host: web}, weight: 50}, {destination: {host: canary-web}, weight: 20}]}"))), "spec.http[0].route", "add up to 70");

    [Fact]
    public void Several_destinations_need_weights() =>
        Rejects(IstioValidator.Validate(Vs(Rule("{route: [{destination: {host: web}}, {destination: {host: canary-web}, weight: 100}]}"))), "spec.http[0].route[0].weight");

    [Fact]
    public void One_destination_without_weight_takes_all() =>
        Assert.Empty(IstioValidator.Validate(Vs(Rule("{route: [{destination: {host: web}}]}"))).Errors);

    [Theory]
    [InlineData("{route: [{destination: {host: web}}], redirect: {uri: /x}}", "spec.http[0]")]
    [InlineData("{match: [{uri: {exact: a}}], route: [{destination: {host: web}}]}", "spec.http[0].match[0].uri")]
    [InlineData("{match: [{uri: {exact: /a, prefix: /b}}], route: [{destination: {host: web}}]}", "spec.http[0].match[0].uri")]
    [InlineData("{match: [{queryParams: {q: {prefix: a}}}], route: [{destination: {host: web}}]}", "spec.http[0].match[0].queryParams.q.prefix")]
    [InlineData("{match: [{sourceLabels: {app: x}}], route: [{destination: {host: web}}]}", "spec.http[0].match[0].sourceLabels")]
    [InlineData("{match: [{port: 80}], route: [{destination: {host: web}}]}", "spec.http[0].match[0].port")]
    [InlineData("{delegate: {name: x}, route: [{destination: {host: web}}]}", "spec.http[0].delegate")]
    [InlineData("{redirect: {redirectCode: 200}}", "spec.http[0].redirect.redirectCode")]
    [InlineData("{directResponse: {status: 42}}", "spec.http[0].directResponse.status")]
    [InlineData("{route: [{destination: {host: web, subset: Bad_Name}}]}", "spec.http[0].route[0].destination.subset")]
    [InlineData("{route: [{destination: {host: \"*.web\"}}]}", "spec.http[0].route[0].destination.host")]
    [InlineData("{route: [{destination: {host: web}, headers: {request: {set: {host: x}}}}]}", "spec.http[0].route[0].headers.request.set.host")]
    [InlineData("{route: [{destination: {host: web}}], timeout: soon}", "spec.http[0].timeout")]
    [InlineData("{route: [{destination: {host: web}}], retries: {attempts: -1}}", "spec.http[0].retries.attempts")]
    [InlineData("{route: [{destination: {host: web}}], retries: {attempts: 2, retryOn: \"5xx,sometimes\"}}", "spec.http[0].retries.retryOn")]
    [InlineData("{route: [{destination: {host: web}}], retries: {attempts: 2, perTryTimeout: 0s}}", "spec.http[0].retries.perTryTimeout")]
    [InlineData("{route: [{destination: {host: web}}], fault: {abort: {httpStatus: 503, percentage: {value: 101}}}}", "spec.http[0].fault.abort.percentage.value")]
    [InlineData("{route: [{destination: {host: web}}], fault: {abort: {grpcStatus: NOPE}}}", "spec.http[0].fault.abort.grpcStatus")]
    [InlineData("{route: [{destination: {host: web}}], fault: {delay: {percentage: {value: 5}}}}", "spec.http[0].fault.delay.fixedDelay")]
    [InlineData("{route: [{destination: {host: web}}], mirror: {host: web}, mirrors: [{destination: {host: web}}]}", "spec.http[0].mirrors")]
    [InlineData("{route: [{destination: {host: web}}], mirrorPercentage: {value: -1}}", "spec.http[0].mirrorPercentage.value")]
    [InlineData("{route: [{destination: {host: web}}], corsPolicy: {allowOrigins: [{regex: \"(\"}]}}", "spec.http[0].corsPolicy.allowOrigins[0].regex")]
    [InlineData("{route: [{destination: {host: web}}], corsPolicy: {maxAge: forever}}", "spec.http[0].corsPolicy.maxAge")]
    public void Bad_rules_are_refused_naming_the_field(string rule, string field) =>
        Rejects(IstioValidator.Validate(Vs(Rule(rule))), field);

    [Theory]
    [InlineData("tls: [{match: [{sniHosts: [web]}]}]", "spec.tls")]
    [InlineData("tcp: [{route: [{destination: {host: web}}]}]", "spec.tcp")]
    public void Tls_and_tcp_rules_are_refused(string extra, string field) =>
        Rejects(IstioValidator.Validate(Vs(Canary + "\n  " + extra)), field);

    [Fact]
    public void A_gateway_other_than_mesh_is_a_warning_not_an_error()
    {
        var check = IstioValidator.Validate(Vs(Canary.Replace("  hosts: [web]", "  hosts: [web]\n  gateways: [mesh, knative-serving/knative-ingress-gateway]", StringComparison.Ordinal)));
        Assert.Empty(check.Errors);
        Assert.Contains(check.Warnings, w => w.StartsWith("spec.gateways[1]", StringComparison.Ordinal));
    }

    [Fact]
    public void Resilience_fields_are_applied_without_a_warning_and_ignored_ones_warn()
    {
        var check = IstioValidator.Validate(Vs(Rule("{route: [{destination: {host: web}}], timeout: 5s, retries: {attempts: 2, perTryTimeout: 1s, retryOn: \"connect-failure,503\", retryRemoteLocalities: true}, fault: {abort: {httpStatus: 503, percentage: {value: 0}}}}")));
        Assert.Empty(check.Errors);
        Assert.DoesNotContain(check.Warnings, w => w.StartsWith("spec.http[0].timeout", StringComparison.Ordinal));
        Assert.DoesNotContain(check.Warnings, w => w.StartsWith("spec.http[0].fault", StringComparison.Ordinal));
        Assert.Contains(check.Warnings, w => w.StartsWith("spec.http[0].retries.retryRemoteLocalities", StringComparison.Ordinal));
    }

    [Fact]
    public void Hosts_are_required() =>
        Rejects(IstioValidator.Validate(Vs("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\nspec: {http: [{route: [{destination: {host: web}}]}]}")), "spec.hosts");

    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web}
        spec:
          host: web
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpCookie: {name: session, ttl: 0s}}
          subsets:
          - name: v1
            labels: {serving.knative.dev/revision: web-00001}
          - name: canary
            labels: {serving.knative.dev/tag: canary}
            trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
        """;

    [Fact]
    public void Accepts_subsets_by_revision_and_tag_with_affinity() => Assert.Empty(IstioValidator.Validate(Dr(Rules)).Errors);

    [Theory]
    [InlineData("  host: web\n  trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}", "spec.trafficPolicy.loadBalancer.simple")]
    [InlineData("  host: web\n  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}", "spec.trafficPolicy.loadBalancer")]
    [InlineData("  host: web\n  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, useSourceIp: true}}}", "spec.trafficPolicy.loadBalancer.consistentHash")]
    [InlineData("  host: web\n  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}", "spec.trafficPolicy.tls")]
    [InlineData("  host: web\n  trafficPolicy: {outlierDetection: {maxEjectionPercent: 200}}", "spec.trafficPolicy.outlierDetection.maxEjectionPercent")]
    [InlineData("  host: web\n  trafficPolicy: {outlierDetection: {baseEjectionTime: 0s}}", "spec.trafficPolicy.outlierDetection.baseEjectionTime")]
    [InlineData("  host: web\n  trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: -1}}}", "spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests")]
    [InlineData("  host: web\n  subsets: [{name: v1, labels: {a: b}}, {name: v1, labels: {a: c}}]", "spec.subsets[1].name")]
    [InlineData("  host: web\n  subsets: [{name: v1}]", "spec.subsets[0].labels")]
    [InlineData("  subsets: [{name: v1, labels: {a: b}}]", "spec.host")]
    [InlineData("  host: web\n  workloadSelector: {matchLabels: {a: b}}", "spec.workloadSelector")]
    public void Bad_destination_rules_are_refused_naming_the_field(string spec, string field) =>
        Rejects(IstioValidator.Validate(Dr($"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: web}}\nspec:\n{spec}")), field);

    [Fact]
    public void A_round_trip_through_json_keeps_every_field()
    {
        var bound = ManifestReader.Bind<VirtualService>(ManifestReader.Read(Canary)[0].Body);
        Assert.Empty(bound.Warnings);
        var again = ManifestReader.Bind<VirtualService>(Kinlet.Core.Json.KinletJson.Serialize(bound.Value));
        Assert.Empty(again.Warnings);
        Assert.Equal("^(.*?;)?(group=b)(;.*)?$", again.Value.Spec.Http![0].Match![1].Headers!["cookie"]!.Regex);
    }

    [Fact]
    public void Istio_regexes_match_the_whole_value()
    {
        var r = IstioRegex.Compile("/v[0-9]+");
        Assert.Matches(r, "/v2");
        Assert.DoesNotMatch(r, "/v2/items");
        Assert.DoesNotMatch(r, "x/v2");
    }
}
