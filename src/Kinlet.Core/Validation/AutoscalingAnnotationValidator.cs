using System.Globalization;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Core.Validation;

/// <summary>Knative's checks of <c>autoscaling.knative.dev/*</c> annotations, with its bounds.</summary>
public static class AutoscalingAnnotationValidator
{
    public static readonly TimeSpan WindowMin = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan WindowMax = TimeSpan.FromHours(1);
    public const double TargetMin = 0.01;

    /// <summary>Errors for the annotations found; <paramref name="path"/> is the annotations field (<c>metadata.annotations</c>).</summary>
    public static IReadOnlyList<FieldError> Validate(IReadOnlyDictionary<string, string>? annotations, string path,
        ServingDefaults? defaults = null)
    {
        var errors = new List<FieldError>();
        Validate(annotations, path, defaults ?? ServingDefaults.Knative, errors);
        return errors;
    }

    internal static void Validate(IReadOnlyDictionary<string, string>? annotations, string path, ServingDefaults defaults,
        List<FieldError> errors)
    {
        if (annotations is null || annotations.Count == 0) return;
        void Add(string key, string message) => errors.Add(new FieldError(path + "." + key, message));

        if (AutoscalingKeys.TryGet(annotations, AutoscalingKeys.Class, out var k, out var v) && v != AutoscalingKeys.KpaClass)
            Add(k, $"only \"{AutoscalingKeys.KpaClass}\" is supported");

        var min = ScaleBound(annotations, AutoscalingKeys.MinScale, Add);
        var max = ScaleBound(annotations, AutoscalingKeys.MaxScale, Add);
        if (min is { } lo && max is { } hi && hi != 0 && hi < lo)
        {
            AutoscalingKeys.TryGet(annotations, AutoscalingKeys.MaxScale, out k, out _);
            Add(k, $"must be at least min-scale ({lo}), or 0 for no limit");
        }

        if (AutoscalingKeys.TryGet(annotations, AutoscalingKeys.InitialScale, out k, out v))
        {
            if (!TryInt(v, out var initial)) Add(k, "must be a whole number");
            else if (initial < 0) Add(k, "must be at least 0");
            else if (initial == 0 && !defaults.AllowZeroInitialScale) Add(k, "0 is not allowed (allow-zero-initial-scale is off)");
        }

        if (AutoscalingKeys.TryGet(annotations, AutoscalingKeys.ActivationScale, out k, out v))
        {
            // Knative rejects 1: it is the default, every non-zero decision is already at least 1.
            if (!TryInt(v, out var activation)) Add(k, "must be a whole number");
            else if (activation < 2) Add(k, "must be at least 2 (1 is the default)");
            else if (min is { } mn && activation < mn) Add(k, $"must be at least min-scale ({mn})");
            else if (max is { } mx && mx != 0 && activation > mx) Add(k, $"must be at most max-scale ({mx})");
        }

        if (AutoscalingKeys.TryGet(annotations, AutoscalingKeys.Target, out k, out v))
        {
            if (!TryFloat(v, out var target)) Add(k, "must be a number");
            else if (target < TargetMin) Add(k, "must be at least 0.01");
        }
        FloatRange(annotations, AutoscalingKeys.TargetUtilizationPercentage, 1, 100, Add);
        FloatRange(annotations, AutoscalingKeys.PanicWindowPercentage, 1, 100, Add);
        FloatRange(annotations, AutoscalingKeys.PanicThresholdPercentage, 110, 1000, Add);

        if (AutoscalingKeys.TryGet(annotations, AutoscalingKeys.TargetBurstCapacity, out k, out v)
            && (!TryFloat(v, out var burst) || (burst < 0 && burst != -1)))
            Add(k, "must be -1 (unlimited) or a number of at least 0");

        if (AutoscalingKeys.TryGet(annotations, AutoscalingKeys.Metric, out k, out v)
            && v is not (AutoscalingKeys.MetricConcurrency or AutoscalingKeys.MetricRps))
            Add(k, $"must be \"{AutoscalingKeys.MetricConcurrency}\" or \"{AutoscalingKeys.MetricRps}\"");

        if (annotations.TryGetValue(KnownKeys.StandbyAnnotation, out v) && v is not (KnownKeys.StandbyFrozen or KnownKeys.StandbyNone))
            Add(KnownKeys.StandbyAnnotation, $"must be \"{KnownKeys.StandbyFrozen}\" or \"{KnownKeys.StandbyNone}\"");

        Duration(annotations, AutoscalingKeys.Window, WindowMin, WindowMax, wholeSeconds: true, Add);
        Duration(annotations, AutoscalingKeys.ScaleDownDelay, TimeSpan.Zero, WindowMax, wholeSeconds: true, Add);
        Duration(annotations, AutoscalingKeys.ScaleToZeroPodRetentionPeriod, TimeSpan.Zero, WindowMax, wholeSeconds: false, Add);
    }

    private static int? ScaleBound(IReadOnlyDictionary<string, string> annotations, string key, Action<string, string> add)
    {
        if (!AutoscalingKeys.TryGet(annotations, key, out var k, out var v)) return null;
        if (!TryInt(v, out var n)) { add(k, "must be a whole number"); return null; }
        if (n < 0) { add(k, "must be at least 0"); return null; }
        return n;
    }

    private static void FloatRange(IReadOnlyDictionary<string, string> annotations, string key, double min, double max,
        Action<string, string> add)
    {
        if (!AutoscalingKeys.TryGet(annotations, key, out var k, out var v)) return;
        if (!TryFloat(v, out var f)) add(k, "must be a number");
        else if (f < min || f > max) add(k, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"));
    }

    private static void Duration(IReadOnlyDictionary<string, string> annotations, string key, TimeSpan min, TimeSpan max,
        bool wholeSeconds, Action<string, string> add)
    {
        if (!AutoscalingKeys.TryGet(annotations, key, out var k, out var v)) return;
        if (!GoDuration.TryParse(v, out var d)) add(k, "must be a duration such as 60s or 1m30s");
        else if (d < min || d > max) add(k, $"must be between {Short(min)} and {Short(max)}");
        else if (wholeSeconds && d.Ticks % TimeSpan.TicksPerSecond != 0) add(k, "must be a whole number of seconds");
    }

    // "1h" reads better than Go's "1h0m0s" in a message.
    private static string Short(TimeSpan d) =>
        d > TimeSpan.Zero && d.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)d.TotalHours}h"
        : d > TimeSpan.Zero && d.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)d.TotalMinutes}m"
        : GoDuration.Format(d);

    private static bool TryInt(string v, out int n) =>
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n);

    private static bool TryFloat(string v, out double f) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out f) && double.IsFinite(f);
}
