using System.Globalization;
using Kinlet.Core;
using Kinlet.Core.Model;

namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// One revision's effective autoscaling settings: its annotations over the daemon's defaults. Built
/// once per revision (revisions are immutable). Manifests were validated on the way in, so a value
/// that still does not parse falls back to the default instead of failing the revision.
/// </summary>
public sealed record AutoscalerSettings
{
    public ScalingMetric Metric { get; init; }

    /// <summary>Per-instance target before utilization (concurrent requests, or requests per second).</summary>
    public double Target { get; init; }

    /// <summary>target × utilization, at least 0.01: what the decision divides by.</summary>
    public double EffectiveTarget { get; init; }

    public TimeSpan StableWindow { get; init; }
    public TimeSpan PanicWindow { get; init; }

    /// <summary>Panic threshold as a ratio (2.0 = 200 %).</summary>
    public double PanicThreshold { get; init; }

    public double MaxScaleUpRate { get; init; }
    public double MaxScaleDownRate { get; init; }
    public TimeSpan ScaleToZeroGracePeriod { get; init; }
    public TimeSpan ScaleToZeroRetention { get; init; }
    public TimeSpan ScaleDownDelay { get; init; }
    public int InitialScale { get; init; }
    public int MinScale { get; init; }

    /// <summary>0 = no upper bound.</summary>
    public int MaxScale { get; init; }

    public int ActivationScale { get; init; }
    public bool EnableScaleToZero { get; init; }

    public static AutoscalerSettings For(IReadOnlyDictionary<string, string>? annotations, long containerConcurrency, AutoscalerOptions defaults)
    {
        var metric = AutoscalingKeys.Get(annotations, AutoscalingKeys.Metric) == AutoscalingKeys.MetricRps ? ScalingMetric.Rps : ScalingMetric.Concurrency;
        double target;
        if (Number(annotations, AutoscalingKeys.Target) is { } t && t > 0) target = t;
        else if (metric == ScalingMetric.Rps) target = defaults.TargetRps;
        else target = defaults.TargetConcurrency;
        // Knative: a concurrency target never exceeds the hard limit.
        if (metric == ScalingMetric.Concurrency && containerConcurrency > 0 && target > containerConcurrency) target = containerConcurrency;

        var utilization = Number(annotations, AutoscalingKeys.TargetUtilizationPercentage) is { } u && u is >= 1 and <= 100
            ? u : defaults.TargetUtilizationPercentage;
        var stable = Duration(annotations, AutoscalingKeys.Window) is { } w && w >= TimeSpan.FromSeconds(6) && w <= TimeSpan.FromHours(1)
            ? w : defaults.StableWindow;
        if (stable < TimeSpan.FromSeconds(1)) stable = TimeSpan.FromSeconds(1);
        var panicPct = Number(annotations, AutoscalingKeys.PanicWindowPercentage) is { } p && p is >= 1 and <= 100 ? p : defaults.PanicWindowPercentage;
        var panic = TimeSpan.FromTicks((long)(stable.Ticks * panicPct / 100));
        if (panic < TimeSpan.FromSeconds(1)) panic = TimeSpan.FromSeconds(1);
        var threshold = Number(annotations, AutoscalingKeys.PanicThresholdPercentage) is { } th && th is >= 110 and <= 1000
            ? th : defaults.PanicThresholdPercentage;

        var initial = Integer(annotations, AutoscalingKeys.InitialScale) is { } i && i >= 0 && (i > 0 || defaults.AllowZeroInitialScale)
            ? i : defaults.InitialScale;
        var min = Integer(annotations, AutoscalingKeys.MinScale) is { } mn && mn >= 0 ? mn : defaults.MinScale;
        var max = Integer(annotations, AutoscalingKeys.MaxScale) is { } mx && mx >= 0 ? mx : defaults.MaxScale;
        var activation = Integer(annotations, AutoscalingKeys.ActivationScale) is { } a && a >= 1 ? a : defaults.ActivationScale;

        return new AutoscalerSettings
        {
            Metric = metric,
            Target = target,
            EffectiveTarget = Math.Max(0.01, target * utilization / 100),
            StableWindow = stable,
            PanicWindow = panic,
            PanicThreshold = threshold / 100,
            MaxScaleUpRate = defaults.MaxScaleUpRate > 1 ? defaults.MaxScaleUpRate : 1000,
            MaxScaleDownRate = defaults.MaxScaleDownRate > 1 ? defaults.MaxScaleDownRate : 2,
            ScaleToZeroGracePeriod = defaults.ScaleToZeroGracePeriod < TimeSpan.Zero ? TimeSpan.Zero : defaults.ScaleToZeroGracePeriod,
            ScaleToZeroRetention = Duration(annotations, AutoscalingKeys.ScaleToZeroPodRetentionPeriod) is { } r && r >= TimeSpan.Zero
                ? r : defaults.ScaleToZeroPodRetentionPeriod,
            ScaleDownDelay = Duration(annotations, AutoscalingKeys.ScaleDownDelay) is { } d && d >= TimeSpan.Zero ? d : defaults.ScaleDownDelay,
            InitialScale = Math.Max(0, initial),
            MinScale = Math.Max(0, min),
            MaxScale = Math.Max(0, max),
            ActivationScale = Math.Max(1, activation),
            EnableScaleToZero = defaults.EnableScaleToZero,
        };
    }

    private static double? Number(IReadOnlyDictionary<string, string>? annotations, string key) =>
        AutoscalingKeys.Get(annotations, key) is { } v && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : null;

    private static int? Integer(IReadOnlyDictionary<string, string>? annotations, string key) =>
        AutoscalingKeys.Get(annotations, key) is { } v && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;

    private static TimeSpan? Duration(IReadOnlyDictionary<string, string>? annotations, string key) =>
        AutoscalingKeys.Get(annotations, key) is { } v && GoDuration.TryParse(v, out var d) ? d : null;
}
