using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinlet.Core.Model;

// Istio's networking.istio.io/v1 VirtualService and DestinationRule in their own shapes (istio/api
// networking/v1alpha3/*.proto, the same in v1beta1 and v1), so the manifests a cluster takes apply here and
// `kinlet export` writes what a cluster with Istio takes. Durations are kept as written ("5s", "1m30s").
// Fields Kinlet refuses (tls, tcp, delegate, sourceLabels ...) are kept as raw JSON so validation can name them.

public static class IstioApi
{
    public const string Group = "networking.istio.io";
    public const string V1 = "networking.istio.io/v1";

    /// <summary>Older versions with the same shape; accepted and stored as v1.</summary>
    public static readonly string[] Versions = [V1, "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"];

    public static bool IsVersion(string? apiVersion) => apiVersion is not null && Array.IndexOf(Versions, apiVersion) >= 0;

    /// <summary>The only gateway whose rules Kinlet reads as written: the mesh (every request, inside or from outside).</summary>
    public const string MeshGateway = "mesh";
}

/// <summary>networking.istio.io/v1 VirtualService: ordered HTTP rules for one or more hosts.</summary>
public sealed class VirtualService
{
    public string ApiVersion { get; set; } = IstioApi.V1;
    public string Kind { get; set; } = "VirtualService";
    public ObjectMeta Metadata { get; set; } = new();
    public VirtualServiceSpec Spec { get; set; } = new();
    public JsonElement? Status { get; set; }
}

public sealed class VirtualServiceSpec
{
    public List<string>? Hosts { get; set; }
    public List<string>? Gateways { get; set; }
    public List<HttpRoute>? Http { get; set; }
    public JsonElement? Tls { get; set; }
    public JsonElement? Tcp { get; set; }
    public List<string>? ExportTo { get; set; }
}

/// <summary>One <c>http[]</c> rule: the first whose match holds takes the request.</summary>
public sealed class HttpRoute
{
    public string? Name { get; set; }
    public List<HttpMatchRequest>? Match { get; set; }
    public List<HttpRouteDestination>? Route { get; set; }
    public HttpRedirect? Redirect { get; set; }
    public HttpDirectResponse? DirectResponse { get; set; }
    public JsonElement? Delegate { get; set; }
    public HttpRewrite? Rewrite { get; set; }
    public string? Timeout { get; set; }
    public HttpRetry? Retries { get; set; }
    public HttpFaultInjection? Fault { get; set; }
    public IstioDestination? Mirror { get; set; }
    public List<HttpMirrorPolicy>? Mirrors { get; set; }
    public IstioPercent? MirrorPercentage { get; set; }

    /// <summary>Deprecated integer form of <see cref="MirrorPercentage"/>.</summary>
    public int? MirrorPercent { get; set; }

    public CorsPolicy? CorsPolicy { get; set; }
    public IstioHeaders? Headers { get; set; }
}

/// <summary>One match block: every condition set here must hold (AND); the blocks of a rule are ORed.</summary>
public sealed class HttpMatchRequest
{
    public string? Name { get; set; }
    public StringMatch? Uri { get; set; }
    public StringMatch? Scheme { get; set; }
    public StringMatch? Method { get; set; }
    public StringMatch? Authority { get; set; }
    public Dictionary<string, StringMatch?>? Headers { get; set; }
    public Dictionary<string, StringMatch?>? WithoutHeaders { get; set; }
    public Dictionary<string, StringMatch?>? QueryParams { get; set; }
    public bool? IgnoreUriCase { get; set; }
    public int? Port { get; set; }
    public Dictionary<string, string>? SourceLabels { get; set; }
    public List<string>? Gateways { get; set; }
    public string? SourceNamespace { get; set; }
    public string? StatPrefix { get; set; }
}

/// <summary>Exactly one of exact / prefix / regex (RE2 syntax, matched against the whole value); none = present.</summary>
public sealed class StringMatch
{
    public string? Exact { get; set; }
    public string? Prefix { get; set; }
    public string? Regex { get; set; }
}

public sealed class HttpRouteDestination
{
    public IstioDestination? Destination { get; set; }
    public int? Weight { get; set; }
    public IstioHeaders? Headers { get; set; }
}

/// <summary>A service (any of its host names), a tag host, or a service's subset from its DestinationRule.</summary>
public sealed class IstioDestination
{
    public string? Host { get; set; }
    public string? Subset { get; set; }
    public PortSelector? Port { get; set; }
}

public sealed class PortSelector
{
    public int? Number { get; set; }
}

public sealed class IstioHeaders
{
    public HeaderOperations? Request { get; set; }
    public HeaderOperations? Response { get; set; }
}

public sealed class HeaderOperations
{
    public Dictionary<string, string>? Set { get; set; }
    public Dictionary<string, string>? Add { get; set; }
    public List<string>? Remove { get; set; }
}

public sealed class HttpRewrite
{
    public string? Uri { get; set; }
    public string? Authority { get; set; }
    public RegexRewrite? UriRegexRewrite { get; set; }
}

public sealed class RegexRewrite
{
    public string? Match { get; set; }
    public string? Rewrite { get; set; }
}

public sealed class HttpRedirect
{
    public string? Uri { get; set; }
    public string? Authority { get; set; }
    public int? Port { get; set; }
    public string? DerivePort { get; set; }
    public string? Scheme { get; set; }
    public int? RedirectCode { get; set; }
}

public sealed class HttpDirectResponse
{
    public int? Status { get; set; }
    public HttpBody? Body { get; set; }
}

public sealed class HttpBody
{
    public string? String { get; set; }

    /// <summary>Base64, as protobuf's JSON writes bytes.</summary>
    public string? Bytes { get; set; }
}

public sealed class HttpRetry
{
    public int? Attempts { get; set; }
    public string? PerTryTimeout { get; set; }
    public string? RetryOn { get; set; }
    public bool? RetryRemoteLocalities { get; set; }
    public bool? RetryIgnorePreviousHosts { get; set; }
    public string? Backoff { get; set; }
}

public sealed class HttpFaultInjection
{
    public FaultDelay? Delay { get; set; }
    public FaultAbort? Abort { get; set; }
}

public sealed class FaultDelay
{
    public string? FixedDelay { get; set; }
    public IstioPercent? Percentage { get; set; }

    /// <summary>Deprecated integer form of <see cref="Percentage"/>.</summary>
    public int? Percent { get; set; }

    public JsonElement? ExponentialDelay { get; set; }
}

public sealed class FaultAbort
{
    public int? HttpStatus { get; set; }
    public string? GrpcStatus { get; set; }
    public JsonElement? Http2Error { get; set; }
    public IstioPercent? Percentage { get; set; }
}

/// <summary>Istio's <c>Percent</c>: a double in [0, 100].</summary>
public sealed class IstioPercent
{
    public double? Value { get; set; }
}

public sealed class HttpMirrorPolicy
{
    public IstioDestination? Destination { get; set; }
    public IstioPercent? Percentage { get; set; }
}

public sealed class CorsPolicy
{
    public List<StringMatch?>? AllowOrigins { get; set; }

    /// <summary>Deprecated exact-origin form of <see cref="AllowOrigins"/>.</summary>
    public List<string>? AllowOrigin { get; set; }

    public List<string>? AllowMethods { get; set; }
    public List<string>? AllowHeaders { get; set; }
    public List<string>? ExposeHeaders { get; set; }
    public string? MaxAge { get; set; }
    public bool? AllowCredentials { get; set; }
    public string? UnmatchedPreflights { get; set; }
}

/// <summary>networking.istio.io/v1 DestinationRule: how requests to one host are balanced, and its named subsets.</summary>
public sealed class DestinationRule
{
    public string ApiVersion { get; set; } = IstioApi.V1;
    public string Kind { get; set; } = "DestinationRule";
    public ObjectMeta Metadata { get; set; } = new();
    public DestinationRuleSpec Spec { get; set; } = new();
    public JsonElement? Status { get; set; }
}

public sealed class DestinationRuleSpec
{
    public string? Host { get; set; }
    public IstioTrafficPolicy? TrafficPolicy { get; set; }
    public List<IstioSubset>? Subsets { get; set; }
    public List<string>? ExportTo { get; set; }
    public JsonElement? WorkloadSelector { get; set; }
}

/// <summary>
/// A named group of revisions: <c>labels</c> are matched against each revision's labels, where every revision also
/// carries <c>serving.knative.dev/revision: NAME</c> and, for each tag routed to it, <c>serving.knative.dev/tag: TAG</c>.
/// </summary>
public sealed class IstioSubset
{
    public string? Name { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public IstioTrafficPolicy? TrafficPolicy { get; set; }
}

public sealed class IstioTrafficPolicy
{
    public LoadBalancerSettings? LoadBalancer { get; set; }
    public ConnectionPoolSettings? ConnectionPool { get; set; }
    public OutlierDetection? OutlierDetection { get; set; }
    public JsonElement? Tls { get; set; }
    public JsonElement? PortLevelSettings { get; set; }
    public JsonElement? Tunnel { get; set; }
    public JsonElement? ProxyProtocol { get; set; }
}

public sealed class LoadBalancerSettings
{
    public string? Simple { get; set; }
    public ConsistentHashLb? ConsistentHash { get; set; }
    public JsonElement? LocalityLbSetting { get; set; }
    public string? WarmupDurationSecs { get; set; }
}

public sealed class ConsistentHashLb
{
    public string? HttpHeaderName { get; set; }
    public HttpCookieHash? HttpCookie { get; set; }
    public bool? UseSourceIp { get; set; }
    public string? HttpQueryParameterName { get; set; }
    public JsonElement? RingHash { get; set; }
    public JsonElement? Maglev { get; set; }

    [JsonPropertyName("minimumRingSize")]
    public long? MinimumRingSize { get; set; }
}

public sealed class HttpCookieHash
{
    public string? Name { get; set; }
    public string? Path { get; set; }
    public string? Ttl { get; set; }
}

public sealed class ConnectionPoolSettings
{
    public TcpSettings? Tcp { get; set; }
    public HttpSettings? Http { get; set; }
}

public sealed class TcpSettings
{
    public long? MaxConnections { get; set; }
    public string? ConnectTimeout { get; set; }
    public JsonElement? TcpKeepalive { get; set; }
    public string? MaxConnectionDuration { get; set; }
    public string? IdleTimeout { get; set; }
}

public sealed class HttpSettings
{
    public long? Http1MaxPendingRequests { get; set; }
    public long? Http2MaxRequests { get; set; }
    public long? MaxRequestsPerConnection { get; set; }
    public long? MaxRetries { get; set; }
    public string? IdleTimeout { get; set; }
    public string? H2UpgradePolicy { get; set; }
    public bool? UseClientProtocol { get; set; }
    public long? MaxConcurrentStreams { get; set; }
}

public sealed class OutlierDetection
{
    public long? Consecutive5xxErrors { get; set; }
    public long? ConsecutiveGatewayErrors { get; set; }

    /// <summary>Deprecated alias of <see cref="Consecutive5xxErrors"/> (it counted 502/503/504 only).</summary>
    public long? ConsecutiveErrors { get; set; }

    public long? ConsecutiveLocalOriginFailures { get; set; }
    public bool? SplitExternalLocalOriginErrors { get; set; }
    public string? Interval { get; set; }
    public string? BaseEjectionTime { get; set; }
    public long? MaxEjectionPercent { get; set; }
    public long? MinHealthPercent { get; set; }
}
