using Kinlet.Serving.Autoscaler;

namespace Kinlet.Serving.Tests.Autoscaler;

public sealed class AutoscalerSettingsTests
{
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
        Assert.Equal(1, s.InitialScale);
        Assert.Equal(1, s.ActivationScale);
        Assert.Equal(0, s.MinScale);
        Assert.Equal(0, s.MaxScale);
    }

    [Fact]
    public void The_target_is_capped_by_container_concurrency()
    {
        Assert.Equal(1, For(null, cc: 1).Target);
        Assert.Equal(0.7, For(null, cc: 1).EffectiveTarget, 6);
        Assert.Equal(100, For(null, cc: 500).Target);
    }

    [Fact]
    public void Annotations_override_the_defaults()
    {
        var s = For(new()
        {
            ["autoscaling.knative.dev/target"] = "10",
            ["autoscaling.knative.dev/target-utilization-percentage"] = "50",
            ["autoscaling.knative.dev/window"] = "20s",
            ["autoscaling.knative.dev/panic-window-percentage"] = "25",
            ["autoscaling.knative.dev/panic-threshold-percentage"] = "150",
            ["autoscaling.knative.dev/min-scale"] = "1",
            ["autoscaling.knative.dev/max-scale"] = "7",
            ["autoscaling.knative.dev/initial-scale"] = "2",
            ["autoscaling.knative.dev/activation-scale"] = "2",
            ["autoscaling.knative.dev/scale-down-delay"] = "1m",
            ["autoscaling.knative.dev/scale-to-zero-pod-retention-period"] = "90s",
        });
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
        var s = For(new() { ["autoscaling.knative.dev/minScale"] = "2", ["autoscaling.knative.dev/maxScale"] = "4" });
        Assert.Equal((2, 4), (s.MinScale, s.MaxScale));
    }

    [Fact]
    public void Metric_rps_uses_the_rps_target()
    {
        var s = For(new() { ["autoscaling.knative.dev/metric"] = "rps" }, cc: 1);
        Assert.Equal(ScalingMetric.Rps, s.Metric);
        Assert.Equal(200, s.Target);
        Assert.Equal(140, s.EffectiveTarget, 6);
    }

    [Theory]
    [InlineData("autoscaling.knative.dev/window", "2s")]
    [InlineData("autoscaling.knative.dev/window", "soon")]
    [InlineData("autoscaling.knative.dev/target", "-3")]
    [InlineData("autoscaling.knative.dev/panic-threshold-percentage", "50")]
    [InlineData("autoscaling.knative.dev/min-scale", "many")]
    public void An_invalid_value_falls_back_to_the_default(string key, string value)
    {
        Assert.Equal(For(null), For(new() { [key] = value }));
    }

    [Fact]
    public void Daemon_options_are_the_defaults()
    {
        var s = For(null, options: new AutoscalerOptions { StableWindow = TimeSpan.FromSeconds(6), ScaleToZeroGracePeriod = TimeSpan.FromSeconds(2), MaxScale = 9 });
        Assert.Equal(TimeSpan.FromSeconds(6), s.StableWindow);
        Assert.Equal(TimeSpan.FromSeconds(1), s.PanicWindow); // 10 %, at least a second
        Assert.Equal(TimeSpan.FromSeconds(2), s.ScaleToZeroGracePeriod);
        Assert.Equal(9, s.MaxScale);
    }
}
