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

    /// <summary>The loop guard's starting value (knativebrokerttl), as in Knative.</summary>
    public int DefaultTtl { get; set; } = 255;
}
