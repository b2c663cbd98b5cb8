using Kinlet.Serving.Autoscaler;

namespace Kinlet.Serving.Tests.Autoscaler;

public sealed class AutoscalerSettingsTests
{
    private const string P = "autoscaling.knative.dev/";

    private static AutoscalerSettings For(Dictionary<string, string>? annotations, long cc = 0, AutoscalerOptions? options = null) =>
        AutoscalerSettings.For(annotations, cc, options ?? new AutoscalerOptions());

    [Fact]
    public void Defaults_are_knatives()
    {
        var s = For(null);
        Assert.Equal(ScalingMetric.Concurrency, s.Metric);
        Assert.Equal(100, s.Target);
        Assert.Equal(70, s.EffectiveTarget, 6);
        Assert.Equal(TimeSpan.FromSeconds(60), s.StableWindow);
        Assert.Equal(TimeSpan.FromSeconds(6), s.PanicWindow);
        Assert.Equal(2, s.PanicThreshold, 6);
        Assert.Equal(1000, s.MaxScaleUpRate);
        Assert.Equal(2, s.MaxScaleDownRate);
        Assert.Equal(TimeSpan.FromSeconds(30), s.ScaleToZeroGracePeriod);
        Assert.Equal(TimeSpan.Zero, s.ScaleToZeroRetention);
        Assert.Equal(TimeSpan.Zero, s.ScaleDownDelay);
        Assert.Equal(1, s.InitialScale);
        Assert.Equal(1, s.ActivationScale);
        Assert.Equal(0, s.MinScale);
        Assert.Equal(0, s.MaxScale);
        Assert.True(s.EnableScaleToZero);
    }

    [Fact]
    public void Options_defaults_match_knatives_config_autoscaler()
    {
        var o = new AutoscalerOptions();
        Assert.Equal("Kinlet:Autoscaler", AutoscalerOptions.Section);
        Assert.Equal((100d, 70d, 200d), (o.TargetConcurrency, o.TargetUtilizationPercentage, o.TargetRps));
        Assert.Equal(TimeSpan.FromSeconds(60), o.StableWindow);
        Assert.Equal((10d, 200d, 1000d, 2d), (o.PanicWindowPercentage, o.PanicThresholdPercentage, o.MaxScaleUpRate, o.MaxScaleDownRate));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.Zero), (o.ScaleToZeroGracePeriod, o.ScaleToZeroPodRetentionPeriod, o.ScaleDownDelay));
        Assert.Equal((1, false, 0, 0, 1), (o.InitialScale, o.AllowZeroInitialScale, o.MinScale, o.MaxScale, o.ActivationScale));
        Assert.Equal(TimeSpan.FromSeconds(2), o.TickInterval);
        Assert.True(o.EnableScaleToZero);
    }

    [Theory]
    [InlineData(1, 1, 0.7)]
    [InlineData(10, 10, 7)]
    [InlineData(500, 500, 350)] // Knative: the limit replaces the default target, even above 100
    public void Without_a_target_annotation_the_container_concurrency_is_the_target(long cc, double target, double effective)
    {
        var s = For(null, cc);
        Assert.Equal(target, s.Target);
        Assert.Equal(effective, s.EffectiveTarget, 6);
    }

    [Theory]
    [InlineData("50", 10, 10)]
    [InlineData("5", 10, 5)]
    [InlineData("50", 0, 50)]
    public void An_annotated_target_is_capped_at_container_concurrency(string annotation, long cc, double target)
    {
        Assert.Equal(target, For(new() { [P + "target"] = annotation }, cc).Target);
    }

    [Fact]
    public void The_effective_target_is_at_least_a_hundredth()
    {
        var s = For(new() { [P + "target"] = "0.01", [P + "target-utilization-percentage"] = "1" });
        Assert.Equal(0.01, s.EffectiveTarget, 9);
    }

    [Fact]
    public void Annotations_override_the_defaults()
    {
        var s = For(new()
        {
            [P + "target"] = "10",
            [P + "target-utilization-percentage"] = "50",
            [P + "window"] = "20s",
            [P + "panic-window-percentage"] = "25",
            [P + "panic-threshold-percentage"] = "150",
            [P + "min-scale"] = "1",
            [P + "max-scale"] = "7",
            [P + "initial-scale"] = "2",
            [P + "activation-scale"] = "2",
            [P + "scale-down-delay"] = "1m",
            [P + "scale-to-zero-pod-retention-period"] = "1m30s",
        });
        Assert.Equal(10, s.Target);
        Assert.Equal(5, s.EffectiveTarget, 6);
        Assert.Equal(TimeSpan.FromSeconds(20), s.StableWindow);
        Assert.Equal(TimeSpan.FromSeconds(5), s.PanicWindow);
        Assert.Equal(1.5, s.PanicThreshold, 6);
        Assert.Equal((1, 7, 2, 2), (s.MinScale, s.MaxScale, s.InitialScale, s.ActivationScale));
        Assert.Equal(TimeSpan.FromMinutes(1), s.ScaleDownDelay);
        Assert.Equal(TimeSpan.FromSeconds(90), s.ScaleToZeroRetention);
    }

    [Fact]
    public void The_older_camel_case_spellings_work()
    {
        var s = For(new()
        {
            [P + "minScale"] = "2",
            [P + "maxScale"] = "4",
            [P + "initialScale"] = "3",
            [P + "scaleDownDelay"] = "15s",
            [P + "targetUtilizationPercentage"] = "50",
            [P + "panicWindowPercentage"] = "20",
            [P + "panicThresholdPercentage"] = "300",
        });
        Assert.Equal((2, 4, 3), (s.MinScale, s.MaxScale, s.InitialScale));
        Assert.Equal(TimeSpan.FromSeconds(15), s.ScaleDownDelay);
        Assert.Equal(50, s.EffectiveTarget, 6);
        Assert.Equal(TimeSpan.FromSeconds(12), s.PanicWindow);
        Assert.Equal(3, s.PanicThreshold, 6);
    }

    [Fact]
    public void The_kebab_case_key_wins_over_the_camel_case_one()
    {
        var s = For(new() { [P + "min-scale"] = "1", [P + "minScale"] = "5" });
        Assert.Equal(1, s.MinScale);
    }

    [Fact]
    public void Metric_rps_uses_the_rps_target_with_the_same_utilization_and_no_concurrency_cap()
    {
        var s = For(new() { [P + "metric"] = "rps" }, cc: 1);
        Assert.Equal(ScalingMetric.Rps, s.Metric);
        Assert.Equal(200, s.Target);
        Assert.Equal(140, s.EffectiveTarget, 6);

        var annotated = For(new() { [P + "metric"] = "rps", [P + "target"] = "50", [P + "target-utilization-percentage"] = "100" }, cc: 1);
        Assert.Equal(50, annotated.EffectiveTarget, 6);
        Assert.Equal(300, For(new() { [P + "metric"] = "rps" }, options: new AutoscalerOptions { TargetRps = 300 }).Target);
    }

    [Theory]
    [InlineData("window", "2s")]
    [InlineData("window", "2h")]
    [InlineData("window", "soon")]
    [InlineData("target", "-3")]
    [InlineData("target", "0")]
    [InlineData("target", "lots")]
    [InlineData("target-utilization-percentage", "0")]
    [InlineData("target-utilization-percentage", "101")]
    [InlineData("panic-window-percentage", "0")]
    [InlineData("panic-window-percentage", "150")]
    [InlineData("panic-threshold-percentage", "50")]
    [InlineData("panic-threshold-percentage", "1001")]
    [InlineData("min-scale", "many")]
    [InlineData("min-scale", "-1")]
    [InlineData("minScale", "1.5")]
    [InlineData("max-scale", "-2")]
    [InlineData("initial-scale", "-1")]
    [InlineData("initial-scale", "0")] // allow-zero-initial-scale is off
    [InlineData("activation-scale", "0")]
    [InlineData("scale-down-delay", "-5s")]
    [InlineData("scale-down-delay", "2h")]
    [InlineData("scale-down-delay", "later")]
    [InlineData("scale-to-zero-pod-retention-period", "forever")]
    [InlineData("metric", "cpu")]
    public void An_invalid_value_falls_back_to_the_default(string key, string value)
    {
        Assert.Equal(For(null), For(new() { [P + key] = value }));
    }

    [Fact]
    public void Initial_scale_zero_needs_the_daemon_to_allow_it()
    {
        var annotations = new Dictionary<string, string> { [P + "initial-scale"] = "0" };
        Assert.Equal(1, For(annotations).InitialScale);
        Assert.Equal(0, For(annotations, options: new AutoscalerOptions { AllowZeroInitialScale = true }).InitialScale);
        Assert.Equal(1, For(null, options: new AutoscalerOptions { InitialScale = 0 }).InitialScale);
        Assert.Equal(0, For(null, options: new AutoscalerOptions { InitialScale = 0, AllowZeroInitialScale = true }).InitialScale);
    }

    [Fact]
    public void Daemon_options_are_the_defaults()
    {
        var s = For(null, options: new AutoscalerOptions
        {
            StableWindow = TimeSpan.FromSeconds(6),
            ScaleToZeroGracePeriod = TimeSpan.FromSeconds(2),
            ScaleToZeroPodRetentionPeriod = TimeSpan.FromSeconds(4),
            ScaleDownDelay = TimeSpan.FromSeconds(8),
            MaxScale = 9,
            MinScale = 1,
            EnableScaleToZero = false,
        });
        Assert.Equal(TimeSpan.FromSeconds(6), s.StableWindow);
        Assert.Equal(TimeSpan.FromSeconds(1), s.PanicWindow); // 10 %, at least a second
        Assert.Equal(TimeSpan.FromSeconds(2), s.ScaleToZeroGracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(4), s.ScaleToZeroRetention);
        Assert.Equal(TimeSpan.FromSeconds(8), s.ScaleDownDelay);
        Assert.Equal((1, 9), (s.MinScale, s.MaxScale));
        Assert.False(s.EnableScaleToZero);
    }

    [Fact]
    public void Unusable_daemon_rates_fall_back_to_knatives()
    {
        var s = For(null, options: new AutoscalerOptions { MaxScaleUpRate = 1, MaxScaleDownRate = 0.5 });
        Assert.Equal((1000d, 2d), (s.MaxScaleUpRate, s.MaxScaleDownRate));
    }
}
