using Kinlet.Core.Serving;
using Kinlet.Core.Validation;
using static Kinlet.Core.Tests.TestManifests;
using static Kinlet.Core.Tests.Validation.ValidationAssert;

namespace Kinlet.Core.Tests.Validation;

public class AutoscalingAnnotationValidatorTests
{
    private const string A = "autoscaling.knative.dev/";

    [Theory]
    [InlineData("min-scale", "0")]
    [InlineData("min-scale", "3")]
    [InlineData("minScale", "3")]
    [InlineData("max-scale", "0")]
    [InlineData("max-scale", "100")]
    [InlineData("initial-scale", "1")]
    [InlineData("activation-scale", "2")]
    [InlineData("target", "0.01")]
    [InlineData("target", "100")]
    [InlineData("target-utilization-percentage", "1")]
    [InlineData("target-utilization-percentage", "100")]
    [InlineData("target-burst-capacity", "-1")]
    [InlineData("target-burst-capacity", "0")]
    [InlineData("target-burst-capacity", "211")]
    [InlineData("metric", "concurrency")]
    [InlineData("metric", "rps")]
    [InlineData("window", "6s")]
    [InlineData("window", "1h")]
    [InlineData("window", "1m30s")]
    [InlineData("panic-window-percentage", "1")]
    [InlineData("panic-window-percentage", "100")]
    [InlineData("panic-threshold-percentage", "110")]
    [InlineData("panic-threshold-percentage", "1000")]
    [InlineData("scale-down-delay", "0s")]
    [InlineData("scale-down-delay", "0")]
    [InlineData("scale-down-delay", "1h")]
    [InlineData("scale-to-zero-pod-retention-period", "1m5.5s")]
    [InlineData("class", "kpa.autoscaling.knative.dev")]
    [InlineData("something-new", "whatever")]
    public void Accepts_values_in_range(string key, string value)
    {
        Accepts(Service(templateMetadata: $"{{annotations: {{{A}{key}: '{value}'}}}}"));
        Accepts(Service(metadata: $"name: hello, annotations: {{{A}{key}: '{value}'}}"));
    }

    [Theory]
    [InlineData("min-scale", "-1", "at least 0")]
    [InlineData("min-scale", "one", "whole number")]
    [InlineData("minScale", "1.5", "whole number")]
    [InlineData("max-scale", "-1", "at least 0")]
    [InlineData("initial-scale", "-1", "at least 0")]
    [InlineData("initial-scale", "0", "allow-zero-initial-scale")]
    [InlineData("activation-scale", "1", "at least 2")]
    [InlineData("activation-scale", "x", "whole number")]
    [InlineData("target", "0.001", "at least 0.01")]
    [InlineData("target", "abc", "number")]
    [InlineData("target-utilization-percentage", "0.5", "between 1 and 100")]
    [InlineData("target-utilization-percentage", "101", "between 1 and 100")]
    [InlineData("target-burst-capacity", "-2", "-1 (unlimited)")]
    [InlineData("metric", "cpu", "\"concurrency\" or \"rps\"")]
    [InlineData("window", "5s", "between 6s and 1h")]
    [InlineData("window", "61m", "between 6s and 1h")]
    [InlineData("window", "60", "duration")]
    [InlineData("window", "10.5s", "whole number of seconds")]
    [InlineData("panic-window-percentage", "0", "between 1 and 100")]
    [InlineData("panic-window-percentage", "101", "between 1 and 100")]
    [InlineData("panicThresholdPercentage", "109", "between 110 and 1000")]
    [InlineData("panic-threshold-percentage", "1001", "between 110 and 1000")]
    [InlineData("scale-down-delay", "-1s", "between 0s and 1h")]
    [InlineData("scale-down-delay", "2h", "between 0s and 1h")]
    [InlineData("scale-down-delay", "1.5s", "whole number of seconds")]
    [InlineData("scale-to-zero-pod-retention-period", "-5s", "between 0s and 1h")]
    [InlineData("scale-to-zero-pod-retention-period", "soon", "duration")]
    [InlineData("class", "hpa.autoscaling.knative.dev", "only \"kpa.autoscaling.knative.dev\"")]
    public void Rejects_values_out_of_range_on_template_and_service(string key, string value, string message)
    {
        Rejects(Service(templateMetadata: $"{{annotations: {{{A}{key}: '{value}'}}}}"), $"spec.template.metadata.annotations.{A}{key}", message);
        Rejects(Service(metadata: $"name: hello, annotations: {{{A}{key}: '{value}'}}"), $"metadata.annotations.{A}{key}", message);
    }

    [Fact]
    public void Rejects_max_scale_below_min_scale() =>
        Rejects(Service(templateMetadata: $"{{annotations: {{{A}min-scale: '5', {A}max-scale: '2'}}}}"),
            $"spec.template.metadata.annotations.{A}max-scale", "at least min-scale (5)");

    [Fact]
    public void Accepts_unbounded_max_scale_with_a_min_scale() =>
        Accepts(Service(templateMetadata: $"{{annotations: {{{A}min-scale: '5', {A}max-scale: '0'}}}}"));

    [Theory]
    [InlineData("3", "0", "2", "at least min-scale (3)")]
    [InlineData("0", "3", "4", "at most max-scale (3)")]
    public void Activation_scale_must_sit_between_min_and_max_scale(string min, string max, string activation, string message) =>
        Rejects(Service(templateMetadata: $"{{annotations: {{{A}min-scale: '{min}', {A}max-scale: '{max}', {A}activation-scale: '{activation}'}}}}"),
            $"spec.template.metadata.annotations.{A}activation-scale", message);

    [Fact]
    public void Zero_initial_scale_is_allowed_when_the_daemon_allows_it()
    {
        var annotations = new Dictionary<string, string> { [A + "initial-scale"] = "0" };

        Assert.NotEmpty(AutoscalingAnnotationValidator.Validate(annotations, "a"));
        Assert.Empty(AutoscalingAnnotationValidator.Validate(annotations, "a", new ServingDefaults { AllowZeroInitialScale = true }));
    }

    [Fact]
    public void The_kebab_case_key_wins_over_the_old_spelling()
    {
        var annotations = new Dictionary<string, string> { [A + "minScale"] = "bad", [A + "min-scale"] = "1" };

        Assert.Empty(AutoscalingAnnotationValidator.Validate(annotations, "a"));
        Assert.Equal("1", Kinlet.Core.Model.AutoscalingKeys.Get(annotations, Kinlet.Core.Model.AutoscalingKeys.MinScale));
    }

    [Theory]
    [InlineData("frozen")]
    [InlineData("none")]
    public void Accepts_kinlet_standby_values(string value) =>
        Accepts(Service(templateMetadata: $"{{annotations: {{kinlet.dev/standby: '{value}'}}}}"));

    [Theory]
    [InlineData("warm")]
    [InlineData("Frozen")]
    [InlineData("")]
    public void Rejects_other_standby_values_naming_the_annotation(string value) =>
        Rejects(Service(templateMetadata: $"{{annotations: {{kinlet.dev/standby: '{value}'}}}}"),
            "spec.template.metadata.annotations.kinlet.dev/standby", "\"frozen\" or \"none\"");
}
