using System.Text.Json;
using Kinlet.Core.Model;

namespace Kinlet.Core.Validation;

/// <summary>What is wrong with an Istio resource (400s naming the field) and what is accepted but not read as written (warnings).</summary>
public sealed record IstioCheck(IReadOnlyList<FieldError> Errors, IReadOnlyList<string> Warnings);

/// <summary>
/// The shape of VirtualService and DestinationRule as Istio's validation checks it, plus what Kinlet cannot honour:
/// refused with the field named (tls, tcp, delegate, sourceLabels ...) or, when reading it differently changes nothing a
/// user relies on, accepted with a warning. Cross-resource checks (a subset that no DestinationRule has, a host that
/// names no service) need the store and are made by the serving layer.
/// </summary>
public static class IstioValidator
{
    /// <summary>Fields accepted, validated and stored, that this kinletd does not apply yet; each gets a warning.</summary>
    public static readonly IReadOnlySet<string> NotYetApplied = new HashSet<string>(StringComparer.Ordinal);

    private static readonly string[] SimpleBalancers = ["LEAST_REQUEST", "LEAST_CONN", "ROUND_ROBIN", "RANDOM", "UNSPECIFIED"];
    private static readonly int[] RedirectCodes = [301, 302, 303, 307, 308];
    private static readonly string[] GrpcStatuses =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];
    private static readonly string[] RetryOnPolicies =
    [
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream",
        "retriable-status-codes", "retriable-headers", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
        "resource-exhausted", "unavailable",
    ];

    public static IstioCheck Validate(VirtualService vs)
    {
        ArgumentNullException.ThrowIfNull(vs);
        var errors = new List<FieldError>();
        var warnings = new List<string>();
        Header(vs.ApiVersion, vs.Kind, "VirtualService", vs.Metadata, errors);
        var spec = vs.Spec;
        if (spec is null)
        {
            errors.Add(new("spec", "required"));
            return new(errors, warnings);
        }
        if (spec.Hosts is not { Count: > 0 }) errors.Add(new("spec.hosts", "required: at least one host (a service name such as web, web.default, web.localhost)"));
        else
            for (var i = 0; i < spec.Hosts.Count; i++)
                Host(spec.Hosts[i], $"spec.hosts[{i}]", errors);
        if (spec.Tls is { ValueKind: not JsonValueKind.Null }) errors.Add(new("spec.tls", "not supported by Kinlet: kinletd routes HTTP only (no TLS passthrough)"));
        if (spec.Tcp is { ValueKind: not JsonValueKind.Null }) errors.Add(new("spec.tcp", "not supported by Kinlet: kinletd routes HTTP only"));
        Gateways(spec.Gateways, "spec.gateways", warnings);
        ExportTo(spec.ExportTo, "spec.exportTo", warnings);
        if (spec.Http is not { Count: > 0 })
        {
            errors.Add(new("spec.http", "required: at least one rule"));
            return new(errors, warnings);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Http.Count; i++)
        {
            var p = $"spec.http[{i}]";
            if (spec.Http[i] is not { } rule)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            if (rule.Name is { Length: > 0 } n && !names.Add(n)) errors.Add(new(p + ".name", $"\"{n}\" is used by another rule; names must be unique"));
            Rule(rule, p, errors, warnings);
        }
        return new(errors, warnings);
    }

    public static IstioCheck Validate(DestinationRule dr)
    {
        ArgumentNullException.ThrowIfNull(dr);
        var errors = new List<FieldError>();
        var warnings = new List<string>();
        Header(dr.ApiVersion, dr.Kind, "DestinationRule", dr.Metadata, errors);
        var spec = dr.Spec;
        if (spec is null)
        {
            errors.Add(new("spec", "required"));
            return new(errors, warnings);
        }
        if (string.IsNullOrEmpty(spec.Host)) errors.Add(new("spec.host", "required: the service whose requests this rule shapes"));
        else Host(spec.Host, "spec.host", errors);
        if (spec.WorkloadSelector is { ValueKind: not JsonValueKind.Null })
            errors.Add(new("spec.workloadSelector", "not supported by Kinlet: kinletd is every workload's proxy; use spec.host"));
        ExportTo(spec.ExportTo, "spec.exportTo", warnings);
        if (spec.TrafficPolicy is { } tp) TrafficPolicy(tp, "spec.trafficPolicy", errors, warnings);
        if (spec.Subsets is { } subsets)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < subsets.Count; i++)
            {
                var p = $"spec.subsets[{i}]";
                if (subsets[i] is not { } s)
                {
                    errors.Add(new(p, "required"));
                    continue;
                }
                if (string.IsNullOrEmpty(s.Name)) errors.Add(new(p + ".name", "required"));
                else if (Names.ValidateDns1123Label(s.Name) is { } bad) errors.Add(new(p + ".name", bad));
                else if (!names.Add(s.Name)) errors.Add(new(p + ".name", $"\"{s.Name}\" is used by another subset"));
                if (s.Labels is not { Count: > 0 })
                    errors.Add(new(p + ".labels", $"required: the revision labels this subset selects (e.g. {KnownKeys.RevisionLabel}: web-00002)"));
                if (s.TrafficPolicy is { } stp) TrafficPolicy(stp, p + ".trafficPolicy", errors, warnings);
            }
        }
        return new(errors, warnings);
    }

    public static void ThrowIfInvalid(IstioCheck check)
    {
        if (check.Errors.Count > 0) throw new ValidationException(check.Errors);
    }

    private static void Header(string? apiVersion, string? kind, string expectedKind, ObjectMeta? meta, List<FieldError> errors)
    {
        if (!IstioApi.IsVersion(apiVersion))
            errors.Add(new("apiVersion", $"must be {string.Join(", ", IstioApi.Versions)} (was \"{apiVersion}\")"));
        if (kind != expectedKind) errors.Add(new("kind", $"must be {expectedKind} (was \"{kind}\")"));
        if (meta?.Name is not { Length: > 0 } name) errors.Add(new("metadata.name", "required"));
        else if (Names.ValidateDns1123Subdomain(name) is { } bad) errors.Add(new("metadata.name", bad));
        if (meta?.Namespace is { Length: > 0 } ns && Names.ValidateDns1123Label(ns) is { } badNs) errors.Add(new("metadata.namespace", badNs));
    }

    private static void Host(string? host, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(host))
        {
            errors.Add(new(path, "required"));
            return;
        }
        if (host.Contains('*', StringComparison.Ordinal))
        {
            errors.Add(new(path, $"\"{host}\": wildcard hosts are not supported by Kinlet; name the service"));
            return;
        }
        if (host.Contains(':', StringComparison.Ordinal) || host.Contains('/', StringComparison.Ordinal) || Names.ValidateDns1123Subdomain(host.ToLowerInvariant()) is not null)
            errors.Add(new(path, $"\"{host}\" is not a host name (a service name such as web, web.default, web.default.svc.cluster.local, web.localhost)"));
    }

    private static void Gateways(List<string>? gateways, string path, List<string> warnings)
    {
        if (gateways is null) return;
        for (var i = 0; i < gateways.Count; i++)
            if (gateways[i] != IstioApi.MeshGateway)
                warnings.Add($"{path}[{i}]: \"{gateways[i]}\": kinletd is the only gateway and every workload's proxy; the rules apply to every request for the hosts, as for \"mesh\"");
    }

    private static void ExportTo(List<string>? exportTo, string path, List<string> warnings)
    {
        if (exportTo is null) return;
        for (var i = 0; i < exportTo.Count; i++)
            if (exportTo[i] is not ("*" or "."))
                warnings.Add($"{path}[{i}]: \"{exportTo[i]}\": ignored; on one node the rules apply to requests from every namespace");
    }

    private static void Rule(HttpRoute rule, string p, List<FieldError> errors, List<string> warnings)
    {
        if (rule.Delegate is { ValueKind: not JsonValueKind.Null }) errors.Add(new(p + ".delegate", "not supported by Kinlet: write the delegated rules in this VirtualService"));

        if (rule.Match is { } matches)
            for (var i = 0; i < matches.Count; i++)
            {
                if (matches[i] is { } m) Match(m, $"{p}.match[{i}]", errors, warnings);
                else errors.Add(new($"{p}.match[{i}]", "required"));
            }

        var actions = (rule.Route is { Count: > 0 } ? 1 : 0) + (rule.Redirect is not null ? 1 : 0) + (rule.DirectResponse is not null ? 1 : 0);
        if (actions == 0) errors.Add(new(p + ".route", "required: a rule needs route, redirect or directResponse"));
        else if (actions > 1) errors.Add(new(p, "route, redirect and directResponse are exclusive: set one"));
        if (rule.Rewrite is not null && (rule.Redirect is not null || rule.DirectResponse is not null))
            errors.Add(new(p + ".rewrite", "cannot be combined with redirect or directResponse"));

        if (rule.Route is { } routes)
        {
            long sum = 0;
            for (var i = 0; i < routes.Count; i++)
            {
                var rp = $"{p}.route[{i}]";
                if (routes[i] is not { } r)
                {
                    errors.Add(new(rp, "required"));
                    continue;
                }
                if (r.Destination is null) errors.Add(new(rp + ".destination", "required"));
                else Destination(r.Destination, rp + ".destination", errors);
                if (r.Weight is < 0 or > 100) errors.Add(new(rp + ".weight", $"must be between 0 and 100 (was {r.Weight})"));
                else if (routes.Count > 1 && r.Weight is null) errors.Add(new(rp + ".weight", "required when a rule has several destinations (the weights add up to 100)"));
                sum += r.Weight ?? 0;
                Headers(r.Headers, rp + ".headers", errors);
            }
            var single = routes.Count == 1 && routes[0]?.Weight is null;
            if (!single && sum != 100 && routes.Count > 0)
                errors.Add(new(p + ".route", $"the weights add up to {sum}; they must add up to 100"));
        }
        if (rule.Redirect is { } redirect) Redirect(redirect, p + ".redirect", errors);
        if (rule.DirectResponse is { } direct)
        {
            if (direct.Status is not (>= 200 and <= 599)) errors.Add(new(p + ".directResponse.status", $"required: an HTTP status between 200 and 599 (was {direct.Status?.ToString() ?? "unset"})"));
            if (direct.Body is { String: not null, Bytes: not null }) errors.Add(new(p + ".directResponse.body", "string and bytes are exclusive"));
            if (direct.Body?.Bytes is { } bytes && !IsBase64(bytes)) errors.Add(new(p + ".directResponse.body.bytes", "must be base64"));
        }
        if (rule.Rewrite is { } rewrite)
        {
            if (rewrite.Uri is { } u && !u.StartsWith('/')) errors.Add(new(p + ".rewrite.uri", $"\"{u}\" must start with /"));
            if (rewrite.Authority is { Length: 0 }) errors.Add(new(p + ".rewrite.authority", "must not be empty"));
            if (rewrite.UriRegexRewrite is { } rr)
            {
                if (rewrite.Uri is not null) errors.Add(new(p + ".rewrite.uriRegexRewrite", "uri and uriRegexRewrite are exclusive"));
                if (string.IsNullOrEmpty(rr.Match)) errors.Add(new(p + ".rewrite.uriRegexRewrite.match", "required"));
                else if (IstioRegex.Check(rr.Match, anchored: false) is { } bad) errors.Add(new(p + ".rewrite.uriRegexRewrite.match", bad));
                if (rr.Rewrite is null) errors.Add(new(p + ".rewrite.uriRegexRewrite.rewrite", "required"));
            }
        }
        Headers(rule.Headers, p + ".headers", errors);

        if (rule.Timeout is { } timeout) Duration(timeout, p + ".timeout", errors, allowZero: true);
        if (rule.Retries is { } retries) Retries(retries, p + ".retries", errors, warnings);
        if (rule.Fault is { } fault) Fault(fault, p + ".fault", errors);
        if (rule.Mirror is { } mirror)
        {
            Destination(mirror, p + ".mirror", errors);
            if (rule.Mirrors is { Count: > 0 }) errors.Add(new(p + ".mirrors", "mirror and mirrors are exclusive"));
        }
        if (rule.Mirrors is { } mirrors)
            for (var i = 0; i < mirrors.Count; i++)
            {
                var mp = $"{p}.mirrors[{i}]";
                if (mirrors[i]?.Destination is not { } d) errors.Add(new(mp + ".destination", "required"));
                else Destination(d, mp + ".destination", errors);
                Percentage(mirrors[i]?.Percentage, mp + ".percentage", errors);
            }
        Percentage(rule.MirrorPercentage, p + ".mirrorPercentage", errors);
        if (rule.MirrorPercent is < 0 or > 100) errors.Add(new(p + ".mirrorPercent", $"must be between 0 and 100 (was {rule.MirrorPercent})"));
        if (rule.CorsPolicy is { } cors) Cors(cors, p + ".corsPolicy", errors);

        foreach (var (field, set) in new (string, bool)[]
                 {
                     ("timeout", rule.Timeout is not null), ("retries", rule.Retries is not null), ("fault", rule.Fault is not null),
                     ("mirror", rule.Mirror is not null), ("mirrors", rule.Mirrors is not null), ("mirrorPercentage", rule.MirrorPercentage is not null),
                     ("corsPolicy", rule.CorsPolicy is not null),
                 })
            if (set && NotYetApplied.Contains(field)) warnings.Add($"{p}.{field}: validated and stored, not applied by this kinletd yet");
    }

    private static void Match(HttpMatchRequest m, string p, List<FieldError> errors, List<string> warnings)
    {
        StringMatchField(m.Uri, p + ".uri", errors);
        if (m.Uri is { } uri && (uri.Exact ?? uri.Prefix) is { } path && !path.StartsWith('/'))
            errors.Add(new(p + ".uri", $"\"{path}\" must start with /"));
        StringMatchField(m.Scheme, p + ".scheme", errors);
        StringMatchField(m.Method, p + ".method", errors);
        StringMatchField(m.Authority, p + ".authority", errors);
        HeaderMap(m.Headers, p + ".headers", errors);
        HeaderMap(m.WithoutHeaders, p + ".withoutHeaders", errors);
        if (m.QueryParams is { } query)
            foreach (var (name, value) in query)
            {
                var qp = $"{p}.queryParams.{name}";
                if (string.IsNullOrEmpty(name)) errors.Add(new(p + ".queryParams", "a parameter name must not be empty"));
                if (value?.Prefix is not null) errors.Add(new(qp + ".prefix", "not supported for query parameters (Istio: exact or regex)"));
                StringMatchField(value, qp, errors);
            }
        if (m.Port is not null) errors.Add(new(p + ".port", "not supported by Kinlet: every request arrives on the one ingress port"));
        if (m.SourceLabels is { Count: > 0 }) errors.Add(new(p + ".sourceLabels", "not supported by Kinlet: kinletd does not know which function sent a request"));
        if (m.SourceNamespace is not null) errors.Add(new(p + ".sourceNamespace", "not supported by Kinlet: kinletd does not know which namespace sent a request"));
        Gateways(m.Gateways, p + ".gateways", warnings);
        if (m.StatPrefix is not null) warnings.Add($"{p}.statPrefix: ignored; Kinlet counts requests per rule name");
    }

    private static void HeaderMap(Dictionary<string, StringMatch?>? headers, string p, List<FieldError> errors)
    {
        if (headers is null) return;
        foreach (var (name, value) in headers)
        {
            if (string.IsNullOrEmpty(name) || name.Any(c => c <= ' ' || c == ':' || c > '~'))
            {
                errors.Add(new(p, $"\"{name}\" is not a header name"));
                continue;
            }
            StringMatchField(value, $"{p}.{name}", errors);
        }
    }

    private static void StringMatchField(StringMatch? m, string p, List<FieldError> errors)
    {
        if (m is null) return;
        var set = (m.Exact is not null ? 1 : 0) + (m.Prefix is not null ? 1 : 0) + (m.Regex is not null ? 1 : 0);
        if (set > 1) errors.Add(new(p, "exact, prefix and regex are exclusive: set one"));
        if (m.Regex is { } regex && IstioRegex.Check(regex) is { } bad) errors.Add(new(p + ".regex", bad));
    }

    private static void Destination(IstioDestination d, string p, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(d.Host)) errors.Add(new(p + ".host", "required: the service (or tag host) to send to"));
        else Host(d.Host, p + ".host", errors);
        if (d.Subset is { } subset && Names.ValidateDns1123Label(subset) is { } bad) errors.Add(new(p + ".subset", bad));
        if (d.Port?.Number is < 1 or > 65535) errors.Add(new(p + ".port.number", $"must be between 1 and 65535 (was {d.Port.Number})"));
    }

    private static void Headers(IstioHeaders? h, string p, List<FieldError> errors)
    {
        if (h is null) return;
        Operations(h.Request, p + ".request", errors);
        Operations(h.Response, p + ".response", errors);
    }

    private static void Operations(HeaderOperations? ops, string p, List<FieldError> errors)
    {
        if (ops is null) return;
        foreach (var (field, map) in new[] { ("set", ops.Set), ("add", ops.Add) })
            if (map is not null)
                foreach (var (name, value) in map)
                {
                    if (!IsHeaderName(name)) errors.Add(new($"{p}.{field}", $"\"{name}\" is not a header name"));
                    else if (IsForbidden(name)) errors.Add(new($"{p}.{field}.{name}", "this header cannot be changed (use rewrite.authority for the host)"));
                    if (value is null || value.Any(c => c is '\r' or '\n' or '\0')) errors.Add(new($"{p}.{field}.{name}", "must be a header value on one line"));
                }
        if (ops.Remove is { } remove)
            for (var i = 0; i < remove.Count; i++)
                if (!IsHeaderName(remove[i])) errors.Add(new($"{p}.remove[{i}]", $"\"{remove[i]}\" is not a header name"));
                else if (IsForbidden(remove[i])) errors.Add(new($"{p}.remove[{i}]", "this header cannot be removed"));
    }

    private static bool IsHeaderName(string? name) =>
        !string.IsNullOrEmpty(name) && name.All(c => c > ' ' && c <= '~' && c != ':' && c != '(' && c != ')' && c != ',' && c != ';' && c != '"');

    private static bool IsForbidden(string name) =>
        name.Equals("host", StringComparison.OrdinalIgnoreCase) || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase);

    private static void Redirect(HttpRedirect r, string p, List<FieldError> errors)
    {
        if (r.Uri is { } u && !u.StartsWith('/')) errors.Add(new(p + ".uri", $"\"{u}\" must start with /"));
        if (r.RedirectCode is { } code && Array.IndexOf(RedirectCodes, code) < 0)
            errors.Add(new(p + ".redirectCode", $"must be one of 301, 302, 303, 307, 308 (was {code})"));
        if (r.Scheme is { } scheme && scheme is not ("http" or "https")) errors.Add(new(p + ".scheme", $"must be http or https (was \"{scheme}\")"));
        if (r.Port is < 1 or > 65535) errors.Add(new(p + ".port", $"must be between 1 and 65535 (was {r.Port})"));
        if (r.DerivePort is { } dp && dp is not ("FROM_PROTOCOL_DEFAULT" or "FROM_REQUEST_PORT"))
            errors.Add(new(p + ".derivePort", $"must be FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT (was \"{dp}\")"));
        if (r.DerivePort is not null && r.Port is not null) errors.Add(new(p + ".derivePort", "port and derivePort are exclusive"));
        if (r.Authority is { } a && (a.Length == 0 || a.Contains('/', StringComparison.Ordinal))) errors.Add(new(p + ".authority", $"\"{a}\" is not a host"));
    }

    private static void Retries(HttpRetry r, string p, List<FieldError> errors, List<string> warnings)
    {
        if (r.Attempts is < 0) errors.Add(new(p + ".attempts", $"must be 0 or more (was {r.Attempts})"));
        if (r.PerTryTimeout is { } t) Duration(t, p + ".perTryTimeout", errors, allowZero: false);
        if (r.Backoff is { } b) Duration(b, p + ".backoff", errors, allowZero: false);
        if (r.RetryOn is { } on)
            foreach (var item in on.Split(',', StringSplitOptions.TrimEntries))
            {
                if (item.Length == 0) errors.Add(new(p + ".retryOn", "has an empty entry"));
                else if (int.TryParse(item, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status))
                {
                    if (status is < 100 or > 599) errors.Add(new(p + ".retryOn", $"\"{item}\" is not an HTTP status"));
                }
                else if (Array.IndexOf(RetryOnPolicies, item) < 0)
                    errors.Add(new(p + ".retryOn", $"\"{item}\" is not a retry policy ({string.Join(", ", RetryOnPolicies)}, or a status code)"));
            }
        if (r.RetryRemoteLocalities is not null) warnings.Add($"{p}.retryRemoteLocalities: ignored; one node has one locality");
    }

    private static void Fault(HttpFaultInjection f, string p, List<FieldError> errors)
    {
        if (f.Delay is null && f.Abort is null) errors.Add(new(p, "set delay or abort"));
        if (f.Delay is { } d)
        {
            if (d.ExponentialDelay is { ValueKind: not JsonValueKind.Null }) errors.Add(new(p + ".delay.exponentialDelay", "not supported (Istio does not support it either); use fixedDelay"));
            if (d.FixedDelay is null) errors.Add(new(p + ".delay.fixedDelay", "required"));
            else Duration(d.FixedDelay, p + ".delay.fixedDelay", errors, allowZero: false);
            Percentage(d.Percentage, p + ".delay.percentage", errors);
            if (d.Percent is < 0 or > 100) errors.Add(new(p + ".delay.percent", $"must be between 0 and 100 (was {d.Percent})"));
        }
        if (f.Abort is { } a)
        {
            if (a.Http2Error is { ValueKind: not JsonValueKind.Null }) errors.Add(new(p + ".abort.http2Error", "not supported; use httpStatus or grpcStatus"));
            if (a.HttpStatus is null && a.GrpcStatus is null) errors.Add(new(p + ".abort.httpStatus", "required: httpStatus or grpcStatus"));
            if (a.HttpStatus is not null && a.GrpcStatus is not null) errors.Add(new(p + ".abort", "httpStatus and grpcStatus are exclusive"));
            if (a.HttpStatus is { } s && s is < 200 or > 599) errors.Add(new(p + ".abort.httpStatus", $"must be between 200 and 599 (was {s})"));
            if (a.GrpcStatus is { } g && Array.IndexOf(GrpcStatuses, g) < 0) errors.Add(new(p + ".abort.grpcStatus", $"\"{g}\" is not a gRPC status name (e.g. UNAVAILABLE)"));
            Percentage(a.Percentage, p + ".abort.percentage", errors);
        }
    }

    private static void Cors(CorsPolicy c, string p, List<FieldError> errors)
    {
        if (c.AllowOrigins is { } origins)
            for (var i = 0; i < origins.Count; i++)
                if (origins[i] is null) errors.Add(new($"{p}.allowOrigins[{i}]", "required"));
                else StringMatchField(origins[i], $"{p}.allowOrigins[{i}]", errors);
        if (c.MaxAge is { } maxAge) Duration(maxAge, p + ".maxAge", errors, allowZero: true);
        if (c.UnmatchedPreflights is { } u && u is not ("FORWARD" or "IGNORE" or "UNSPECIFIED"))
            errors.Add(new(p + ".unmatchedPreflights", $"must be FORWARD or IGNORE (was \"{u}\")"));
        if (c.AllowMethods is { } methods)
            for (var i = 0; i < methods.Count; i++)
                if (string.IsNullOrEmpty(methods[i]) || !methods[i].All(char.IsAsciiLetterUpper))
                    errors.Add(new($"{p}.allowMethods[{i}]", $"\"{methods[i]}\" is not an HTTP method (GET, POST, ...)"));
    }

    private static void TrafficPolicy(IstioTrafficPolicy tp, string p, List<FieldError> errors, List<string> warnings)
    {
        if (tp.Tls is { ValueKind: not JsonValueKind.Null }) errors.Add(new(p + ".tls", "not supported by Kinlet: kinletd talks to functions over loopback HTTP"));
        if (tp.PortLevelSettings is { ValueKind: not JsonValueKind.Null }) errors.Add(new(p + ".portLevelSettings", "not supported by Kinlet: a revision has one port"));
        if (tp.Tunnel is { ValueKind: not JsonValueKind.Null }) errors.Add(new(p + ".tunnel", "not supported by Kinlet"));
        if (tp.ProxyProtocol is { ValueKind: not JsonValueKind.Null }) errors.Add(new(p + ".proxyProtocol", "not supported by Kinlet"));
        if (tp.LoadBalancer is { } lb)
        {
            var lp = p + ".loadBalancer";
            if (lb.Simple is not null && lb.ConsistentHash is not null) errors.Add(new(lp, "simple and consistentHash are exclusive"));
            if (lb.Simple is { } simple && Array.IndexOf(SimpleBalancers, simple) < 0)
                errors.Add(new(lp + ".simple", simple == "PASSTHROUGH"
                    ? "PASSTHROUGH is not supported by Kinlet: requests always go to a revision's instances"
                    : $"must be LEAST_REQUEST, ROUND_ROBIN or RANDOM (was \"{simple}\")"));
            if (lb.LocalityLbSetting is { ValueKind: not JsonValueKind.Null }) warnings.Add($"{lp}.localityLbSetting: ignored; one node has one locality");
            if (lb.WarmupDurationSecs is { } warmup)
            {
                Duration(warmup, lp + ".warmupDurationSecs", errors, allowZero: true);
                warnings.Add($"{lp}.warmupDurationSecs: ignored; a new instance takes its share once ready");
            }
            if (lb.ConsistentHash is { } ch)
            {
                var cp = lp + ".consistentHash";
                var keys = (ch.HttpHeaderName is not null ? 1 : 0) + (ch.HttpCookie is not null ? 1 : 0) + (ch.UseSourceIp == true ? 1 : 0)
                    + (ch.HttpQueryParameterName is not null ? 1 : 0);
                if (keys != 1) errors.Add(new(cp, "set exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName"));
                if (ch.HttpHeaderName is { } header && !IsHeaderName(header)) errors.Add(new(cp + ".httpHeaderName", $"\"{header}\" is not a header name"));
                if (ch.HttpQueryParameterName is { Length: 0 }) errors.Add(new(cp + ".httpQueryParameterName", "must not be empty"));
                if (ch.HttpCookie is { } cookie)
                {
                    if (string.IsNullOrEmpty(cookie.Name) || !IsHeaderName(cookie.Name) || cookie.Name.Contains('=', StringComparison.Ordinal))
                        errors.Add(new(cp + ".httpCookie.name", "required: a cookie name"));
                    if (cookie.Ttl is { } ttl) Duration(ttl, cp + ".httpCookie.ttl", errors, allowZero: true);
                    if (cookie.Path is { } path && !path.StartsWith('/')) errors.Add(new(cp + ".httpCookie.path", $"\"{path}\" must start with /"));
                }
                if (ch.RingHash is { ValueKind: not JsonValueKind.Null } || ch.Maglev is { ValueKind: not JsonValueKind.Null } || ch.MinimumRingSize is not null)
                    warnings.Add($"{cp}: ringHash/maglev/minimumRingSize ignored; Kinlet hashes onto the ready instances directly (rendezvous hashing)");
            }
        }
        if (tp.ConnectionPool is { } pool)
        {
            var cp = p + ".connectionPool";
            if (pool.Tcp is { } tcp)
            {
                NonNegative(tcp.MaxConnections, cp + ".tcp.maxConnections", errors);
                if (tcp.ConnectTimeout is { } ct) Duration(ct, cp + ".tcp.connectTimeout", errors, allowZero: false);
                if (tcp.MaxConnectionDuration is { } md) Duration(md, cp + ".tcp.maxConnectionDuration", errors, allowZero: true);
                if (tcp.IdleTimeout is { } it) Duration(it, cp + ".tcp.idleTimeout", errors, allowZero: true);
            }
            if (pool.Http is { } http)
            {
                NonNegative(http.Http1MaxPendingRequests, cp + ".http.http1MaxPendingRequests", errors);
                NonNegative(http.Http2MaxRequests, cp + ".http.http2MaxRequests", errors);
                NonNegative(http.MaxRequestsPerConnection, cp + ".http.maxRequestsPerConnection", errors);
                NonNegative(http.MaxRetries, cp + ".http.maxRetries", errors);
                NonNegative(http.MaxConcurrentStreams, cp + ".http.maxConcurrentStreams", errors);
                if (http.IdleTimeout is { } it) Duration(it, cp + ".http.idleTimeout", errors, allowZero: true);
                if (http.H2UpgradePolicy is { } h2 && h2 is not ("DEFAULT" or "DO_NOT_UPGRADE" or "UPGRADE"))
                    errors.Add(new(cp + ".http.h2UpgradePolicy", $"must be DEFAULT, DO_NOT_UPGRADE or UPGRADE (was \"{h2}\")"));
            }
            // Applied: http.http1MaxPendingRequests, http2MaxRequests, maxRetries, maxRequestsPerConnection 1 (design-notes).
            if (pool.Tcp is not null) warnings.Add($"{cp}.tcp: validated and stored, not applied (kinletd's forwarder has one connection pool)");
            if (pool.Http is { } hw && (hw.IdleTimeout is not null || hw.H2UpgradePolicy is not null || hw.MaxConcurrentStreams is not null
                                        || hw.UseClientProtocol is not null || hw.MaxRequestsPerConnection is > 1))
                warnings.Add($"{cp}.http: only http1MaxPendingRequests, http2MaxRequests, maxRetries and maxRequestsPerConnection: 1 are applied");
        }
        if (tp.OutlierDetection is { } od)
        {
            var op = p + ".outlierDetection";
            NonNegative(od.Consecutive5xxErrors, op + ".consecutive5xxErrors", errors);
            NonNegative(od.ConsecutiveGatewayErrors, op + ".consecutiveGatewayErrors", errors);
            NonNegative(od.ConsecutiveErrors, op + ".consecutiveErrors", errors);
            NonNegative(od.ConsecutiveLocalOriginFailures, op + ".consecutiveLocalOriginFailures", errors);
            if (od.Interval is { } i) Duration(i, op + ".interval", errors, allowZero: false);
            if (od.BaseEjectionTime is { } b) Duration(b, op + ".baseEjectionTime", errors, allowZero: false);
            if (od.MaxEjectionPercent is < 0 or > 100) errors.Add(new(op + ".maxEjectionPercent", $"must be between 0 and 100 (was {od.MaxEjectionPercent})"));
            if (od.MinHealthPercent is < 0 or > 100) errors.Add(new(op + ".minHealthPercent", $"must be between 0 and 100 (was {od.MinHealthPercent})"));
            if (od.ConsecutiveLocalOriginFailures is not null || od.SplitExternalLocalOriginErrors is not null)
                warnings.Add($"{op}: consecutiveLocalOriginFailures/splitExternalLocalOriginErrors not applied (connect failures count as 5xx)");
        }
    }

    private static void NonNegative(long? value, string p, List<FieldError> errors)
    {
        if (value is < 0) errors.Add(new(p, $"must be 0 or more (was {value})"));
    }

    private static void Percentage(IstioPercent? percent, string p, List<FieldError> errors)
    {
        if (percent is null) return;
        if (percent.Value is not { } v || double.IsNaN(v) || v < 0 || v > 100)
            errors.Add(new(p + ".value", $"must be a number between 0 and 100 (was {percent.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"})"));
    }

    /// <summary>Go/protobuf durations ("5s", "250ms", "1m30s"); Istio wants at least 1 ms where a zero means nothing.</summary>
    private static void Duration(string text, string p, List<FieldError> errors, bool allowZero)
    {
        if (!GoDuration.TryParse(text, out var d) || d < TimeSpan.Zero)
            errors.Add(new(p, $"\"{text}\" is not a duration (e.g. 5s, 250ms, 1m30s)"));
        else if (!allowZero && d < TimeSpan.FromMilliseconds(1))
            errors.Add(new(p, $"\"{text}\" must be at least 1ms"));
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    /// <summary>Parses a duration already validated.</summary>
    public static TimeSpan ParseDuration(string text) => GoDuration.TryParse(text, out var d) ? d : TimeSpan.Zero;
}
