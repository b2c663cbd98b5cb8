namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// Daemon-wide autoscaler defaults (section "Kinlet:Autoscaler"), Knative's config-autoscaler keys in
/// brackets. Revisions override most of them with <c>autoscaling.knative.dev/*</c> annotations; tests
/// shorten the windows here (e.g. <c>--Kinlet:Autoscaler:StableWindow 00:00:06</c>).
/// </summary>
public sealed class AutoscalerOptions
{
    public const string Section = "Kinlet:Autoscaler";

    /// <summary>Concurrent requests per instance to aim for [container-concurrency-target-default].</summary>
    public double TargetConcurrency { get; set; } = 100;

    /// <summary>Share of the target to actually aim for, in percent, for both metrics [container-concurrency-target-percentage].</summary>
    public double TargetUtilizationPercentage { get; set; } = 70;

    /// <summary>Requests per second per instance with metric "rps" [requests-per-second-target-default].</summary>
    public double TargetRps { get; set; } = 200;

    /// <summary>The averaging window for normal scaling; also how long panic lasts after its last trigger [stable-window].</summary>
    public TimeSpan StableWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The panic window as a share of the stable window [panic-window-percentage].</summary>
    public double PanicWindowPercentage { get; set; } = 10;

    /// <summary>Panic when the panic window wants this share of the ready instances [panic-threshold-percentage].</summary>
    public double PanicThresholdPercentage { get; set; } = 200;

    /// <summary>At most this many times the ready instances per decision [max-scale-up-rate].</summary>
    public double MaxScaleUpRate { get; set; } = 1000;

    /// <summary>At most divide the ready instances by this per decision [max-scale-down-rate].</summary>
    public double MaxScaleDownRate { get; set; } = 2;

    /// <summary>
    /// How long the last instance stays once the stable window wants zero [scale-to-zero-grace-period]. Not "keep warm
    /// for N seconds" (Knative issue 7596): the stable window must first empty, so zero comes ≈ window + grace after the last request.
    /// </summary>
    public TimeSpan ScaleToZeroGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The last instance stays at least this long after the last request [scale-to-zero-pod-retention-period].</summary>
    public TimeSpan ScaleToZeroPodRetentionPeriod { get; set; } = TimeSpan.Zero;

    /// <summary>Scale down only to the highest desired count seen over this long [scale-down-delay].</summary>
    public TimeSpan ScaleDownDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Instances a new revision starts with, held until reached once [initial-scale].</summary>
    public int InitialScale { get; set; } = 1;

    /// <summary>Lets revisions ask for initial-scale 0 [allow-zero-initial-scale].</summary>
    public bool AllowZeroInitialScale { get; set; }

    /// <summary>Default lower bound, routed or not [min-scale].</summary>
    public int MinScale { get; set; }

    /// <summary>Default upper bound, 0 for none [max-scale].</summary>
    public int MaxScale { get; set; }

    /// <summary>Any non-zero decision is at least this [activation-scale].</summary>
    public int ActivationScale { get; set; } = 1;

    /// <summary>One decision per revision per tick [the autoscaler's tick interval].</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>False keeps every routed revision at one instance or more [enable-scale-to-zero].</summary>
    public bool EnableScaleToZero { get; set; } = true;
}
