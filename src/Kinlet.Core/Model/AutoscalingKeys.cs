namespace Kinlet.Core.Model;

/// <summary>Knative's per-revision autoscaling annotations (<c>autoscaling.knative.dev/*</c>).</summary>
public static class AutoscalingKeys
{
    public const string Group = "autoscaling.knative.dev";

    public const string Class = Group + "/class";
    public const string MinScale = Group + "/min-scale";
    public const string MaxScale = Group + "/max-scale";
    public const string InitialScale = Group + "/initial-scale";
    public const string ActivationScale = Group + "/activation-scale";
    public const string Target = Group + "/target";
    public const string TargetUtilizationPercentage = Group + "/target-utilization-percentage";
    public const string TargetBurstCapacity = Group + "/target-burst-capacity";
    public const string Metric = Group + "/metric";
    public const string Window = Group + "/window";
    public const string PanicWindowPercentage = Group + "/panic-window-percentage";
    public const string PanicThresholdPercentage = Group + "/panic-threshold-percentage";
    public const string ScaleDownDelay = Group + "/scale-down-delay";
    public const string ScaleToZeroPodRetentionPeriod = Group + "/scale-to-zero-pod-retention-period";

    /// <summary>The only autoscaler class Kinlet runs (Knative's KPA).</summary>
    public const string KpaClass = "kpa.autoscaling.knative.dev";
    public const string MetricConcurrency = "concurrency";
    public const string MetricRps = "rps";

    /// <summary>
    /// The keys with the older camelCase spelling Knative still reads (<c>minScale</c>); the
    /// kebab-case key wins when both are present.
    /// </summary>
    public static IReadOnlyList<string> Spellings(string key) => key switch
    {
        MinScale => [MinScale, Group + "/minScale"],
        MaxScale => [MaxScale, Group + "/maxScale"],
        InitialScale => [InitialScale, Group + "/initialScale"],
        ScaleDownDelay => [ScaleDownDelay, Group + "/scaleDownDelay"],
        TargetUtilizationPercentage => [TargetUtilizationPercentage, Group + "/targetUtilizationPercentage"],
        TargetBurstCapacity => [TargetBurstCapacity, Group + "/targetBurstCapacity"],
        PanicWindowPercentage => [PanicWindowPercentage, Group + "/panicWindowPercentage"],
        PanicThresholdPercentage => [PanicThresholdPercentage, Group + "/panicThresholdPercentage"],
        _ => [key],
    };

    /// <summary>The annotation under <paramref name="key"/> or its older spelling, with the key actually used.</summary>
    public static bool TryGet(IReadOnlyDictionary<string, string>? annotations, string key, out string usedKey, out string value)
    {
        usedKey = key;
        value = "";
        if (annotations is null) return false;
        foreach (var k in Spellings(key))
        {
            if (annotations.TryGetValue(k, out var v))
            {
                usedKey = k;
                value = v ?? "";
                return true;
            }
        }
        return false;
    }

    public static string? Get(IReadOnlyDictionary<string, string>? annotations, string key) =>
        TryGet(annotations, key, out _, out var value) ? value : null;
}
