namespace Kinlet.Serving;

/// <summary>Daemon-wide serving settings (section "Kinlet:Serving"); Knative's default beside each.</summary>
public sealed class ServingOptions
{
    public const string Section = "Kinlet:Serving";

    /// <summary>Host suffix: services answer at &lt;name&gt;.&lt;domain&gt;.</summary>
    public string Domain { get; set; } = "localhost";

    /// <summary>The ingress port, written into service URLs.</summary>
    public int IngressPort { get; set; } = 8080;

    /// <summary>The HTTP/2 cleartext (prior knowledge) ingress port for gRPC clients; 0 when off.</summary>
    public int IngressH2cPort { get; set; } = 8081;

    /// <summary>
    /// How long an upgraded connection (a WebSocket) may stay open on a revision after it is retired (traffic moved
    /// away, or deleted) or its instance begins to stop. Then kinletd sends the client a close frame (1001 going away)
    /// and ends the connection, so an old socket cannot hold a retired revision up forever (knative/serving #10835).
    /// </summary>
    public TimeSpan UpgradeDrainPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Identifies this daemon's containers on a shared engine (set from the state dir at start).</summary>
    public string DaemonId { get; set; } = "";

    /// <summary>
    /// How often an instance is probed while it starts when its probe sets no periodSeconds (Knative's
    /// queue-proxy: 50 ms). 5 ms here, as the engine floor in bench/scale.sh polls: a cold start is what a user
    /// waits on, half the interval is lost on average, and a probe is one loopback connection.
    /// </summary>
    public TimeSpan ReadinessInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long a silent TCP readiness connection must stay open to count (see TcpReadinessProbe): servers
    /// that answer the probe's request line are ready at once; this only bounds the silent ones.
    /// </summary>
    public TimeSpan TcpProbeHoldWindow { get; set; } = Kinlet.Containers.Readiness.TcpReadinessProbe.DefaultHoldWindow;

    /// <summary>How long an instance may take to pass readiness before the revision fails (ProgressDeadlineExceeded).</summary>
    public TimeSpan ProgressDeadline { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>SIGTERM → SIGKILL grace when an instance stops.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Periodic resync of every revision, besides event-driven reconciles (Knative's tick is 2 s).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Memory limit for containers that set none (Kinlet's own safety default).</summary>
    public string DefaultMemoryLimit { get; set; } = "1Gi";

    public long PidsLimit { get; set; } = 1024;

    /// <summary>First and longest wait before restarting a revision whose instance failed (crash loop backoff).</summary>
    public TimeSpan RestartBackoffInitial { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RestartBackoffMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Knative's revision timeout default and maximum (timeoutSeconds).</summary>
    public int DefaultTimeoutSeconds { get; set; } = 300;
    public int MaxTimeoutSeconds { get; set; } = 600;

    /// <summary>Requests that may wait per revision for an instance with a free slot; more get 503 (Knative's activator: 10000).</summary>
    public int ActivatorQueueDepth { get; set; } = 10000;

    /// <summary>
    /// Write one log line per proxied request. Off by default, as Knative's request log: at full load the line
    /// costs about a quarter of kinletd's CPU per request (bench/warm.sh --kinletd-args ... AccessLog true).
    /// </summary>
    public bool AccessLog { get; set; }

    /// <summary>
    /// What a revision keeps at scale to zero unless its <c>kinlet.dev/standby</c> annotation says otherwise:
    /// <c>none</c> (Knative's behaviour: nothing) or <c>frozen</c> (the last instance, paused; it holds its memory).
    /// </summary>
    public string Standby { get; set; } = Kinlet.Core.Model.KnownKeys.StandbyNone;

    /// <summary>
    /// At zero (without frozen standby), keep one container created but not started, so the next cold start
    /// skips the engine's create. Off by default: it holds a container (no process, no memory) per idle revision.
    /// </summary>
    public bool PrecreateAtZero { get; set; }
}
