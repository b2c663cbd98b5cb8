namespace Kinlet.Eventing;

/// <summary>Daemon-wide eventing settings (section "Kinlet:Eventing").</summary>
public sealed class EventingOptions
{
    public const string Section = "Kinlet:Eventing";

    /// <summary>The ingress port and host the broker URLs are written with (set by kinletd from its flags).</summary>
    public int IngressPort { get; set; } = 8080;
    public string IngressHost { get; set; } = "localhost";

    /// <summary>The services' domain (as Kinlet:Serving:Domain): a Service subscriber is reached at &lt;name&gt;.&lt;domain&gt;.</summary>
    public string Domain { get; set; } = "localhost";

    /// <summary>Largest request body the broker ingress takes (a batch counts whole); more is 413. Knative: at least 64 KB.</summary>
    public long MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Where kinletd dials its own ingress to deliver to a service (the router's address; loopback unless the ingress listens elsewhere only).</summary>
    public string IngressConnectAddress { get; set; } = "127.0.0.1";

    /// <summary>Deliveries in flight at once per trigger (first attempts and retries together).</summary>
    public int DeliveryParallelism { get; set; } = 32;

    /// <summary>Per-attempt timeout when the trigger's delivery sets none.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Delivered events are pruned from a broker's log once older than this.</summary>
    public TimeSpan RetentionAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A broker's log keeps at most this many delivered events (older delivered ones go first). Undelivered events are never pruned.</summary>
    public long RetentionMaxEvents { get; set; } = 1_000_000;

    /// <summary>How often the pruner runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The broker kinletd sends its own lifecycle events to (<c>dev.kinlet.*</c>), as <c>name</c> or <c>namespace/name</c>; empty: off.</summary>
    public string? LifecycleBroker { get; set; }

    /// <summary>The loop guard's starting value (knativebrokerttl), as in Knative.</summary>
    public int DefaultTtl { get; set; } = 255;
}
