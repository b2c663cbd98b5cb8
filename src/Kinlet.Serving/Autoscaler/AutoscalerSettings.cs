using System.Globalization;
using Kinlet.Core;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// One revision's effective autoscaling settings: its annotations over the daemon's defaults. Built
/// once per revision (revisions are immutable). Manifests were validated on the way in, so a value
/// that still does not parse or is out of Knative's range falls back to the default instead of failing
/// the revision.
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
        ArgumentNullException.ThrowIfNull(defaults);
        var metric = AutoscalingKeys.Get(annotations, AutoscalingKeys.Metric) == AutoscalingKeys.MetricRps ? ScalingMetric.Rps : ScalingMetric.Concurrency;

        // Knative's ResolveMetricTarget: with a concurrency limit and no target annotation the limit is the target;
        // an annotated target is capped at the limit, so the autoscaler never aims above what an instance admits.
        double target;
        if (metric == ScalingMetric.Rps) target = Positive(defaults.TargetRps, 200);
        else if (containerConcurrency > 0) target = containerConcurrency;
        else target = Positive(defaults.TargetConcurrency, 100);
        if (Number(annotations, AutoscalingKeys.Target) is { } t && t >= AutoscalingAnnotationValidator.TargetMin)
        {
            target = t;
            if (metric == ScalingMetric.Concurrency && containerConcurrency > 0) target = Math.Min(t, containerConcurrency);
        }

        var utilization = Number(annotations, AutoscalingKeys.TargetUtilizationPercentage) is { } u && u is >= 1 and <= 100
            ? u : InRange(defaults.TargetUtilizationPercentage, 1, 100, 70);

        var stable = Duration(annotations, AutoscalingKeys.Window) is { } w
            && w >= AutoscalingAnnotationValidator.WindowMin && w <= AutoscalingAnnotationValidator.WindowMax
            ? w : defaults.StableWindow;
        // Daemon options may go below Knative's 6 s (tests shorten windows) but never below a sample.
        if (stable < TimeSpan.FromSeconds(1)) stable = TimeSpan.FromSeconds(1);
        var panicPct = Number(annotations, AutoscalingKeys.PanicWindowPercentage) is { } p && p is >= 1 and <= 100
            ? p : InRange(defaults.PanicWindowPercentage, 1, 100, 10);
        var panic = TimeSpan.FromTicks((long)(stable.Ticks * panicPct / 100));
        if (panic < TimeSpan.FromSeconds(1)) panic = TimeSpan.FromSeconds(1);
        var threshold = Number(annotations, AutoscalingKeys.PanicThresholdPercentage) is { } th && th is >= 110 and <= 1000
            ? th : InRange(defaults.PanicThresholdPercentage, 110, 1000, 200);

        var defaultInitial = defaults.InitialScale > 0 || (defaults.InitialScale == 0 && defaults.AllowZeroInitialScale) ? defaults.InitialScale : 1;
        var initial = Integer(annotations, AutoscalingKeys.InitialScale) is { } i && (i > 0 || (i == 0 && defaults.AllowZeroInitialScale))
            ? i : defaultInitial;
        var min = Integer(annotations, AutoscalingKeys.MinScale) is { } mn && mn >= 0 ? mn : Math.Max(0, defaults.MinScale);
        var max = Integer(annotations, AutoscalingKeys.MaxScale) is { } mx && mx >= 0 ? mx : Math.Max(0, defaults.MaxScale);
        var activation = Integer(annotations, AutoscalingKeys.ActivationScale) is { } a && a >= 1 ? a : Math.Max(1, defaults.ActivationScale);

        var maxDuration = AutoscalingAnnotationValidator.WindowMax;
        return new AutoscalerSettings
        {
            Metric = metric,
            Target = target,
            EffectiveTarget = Math.Max(AutoscalingAnnotationValidator.TargetMin, target * utilization / 100),
            StableWindow = stable,
            PanicWindow = panic,
            PanicThreshold = threshold / 100,
            // Knative requires both rates to be above 1; at or below 1 one direction could never move.
            MaxScaleUpRate = defaults.MaxScaleUpRate > 1 ? defaults.MaxScaleUpRate : 1000,
            MaxScaleDownRate = defaults.MaxScaleDownRate > 1 ? defaults.MaxScaleDownRate : 2,
            ScaleToZeroGracePeriod = defaults.ScaleToZeroGracePeriod < TimeSpan.Zero ? TimeSpan.Zero : defaults.ScaleToZeroGracePeriod,
            ScaleToZeroRetention = Duration(annotations, AutoscalingKeys.ScaleToZeroPodRetentionPeriod) is { } r && r >= TimeSpan.Zero && r <= maxDuration
                ? r : NonNegative(defaults.ScaleToZeroPodRetentionPeriod),
            ScaleDownDelay = Duration(annotations, AutoscalingKeys.ScaleDownDelay) is { } d && d >= TimeSpan.Zero && d <= maxDuration
                ? d : NonNegative(defaults.ScaleDownDelay),
            InitialScale = initial,
            MinScale = min,
            MaxScale = max,
            ActivationScale = activation,
            EnableScaleToZero = defaults.EnableScaleToZero,
        };
    }

    private static double Positive(double value, double fallback) => double.IsFinite(value) && value > 0 ? value : fallback;

    private static double InRange(double value, double min, double max, double fallback) =>
        double.IsFinite(value) && value >= min && value <= max ? value : fallback;

    private static TimeSpan NonNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;

    private static double? Number(IReadOnlyDictionary<string, string>? annotations, string key) =>
        AutoscalingKeys.Get(annotations, key) is { } v && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : null;

    private static int? Integer(IReadOnlyDictionary<string, string>? annotations, string key) =>
        AutoscalingKeys.Get(annotations, key) is { } v && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null;

    private static TimeSpan? Duration(IReadOnlyDictionary<string, string>? annotations, string key) =>
        AutoscalingKeys.Get(annotations, key) is { } v && GoDuration.TryParse(v, out var d) ? d : null;
}
