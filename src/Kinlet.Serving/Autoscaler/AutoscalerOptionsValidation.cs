using Kinlet.Core.Settings;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Autoscaler;

/// <summary>Checks <see cref="AutoscalerOptions"/> when kinletd starts, with Knative's bounds where the KPA relies on them.</summary>
public sealed class AutoscalerOptionsValidation : IValidateOptions<AutoscalerOptions>
{
    public ValidateOptionsResult Validate(string? name, AutoscalerOptions o)
    {
        var rules = new SettingRules(AutoscalerOptions.Section)
            .Positive(nameof(o.TargetConcurrency), o.TargetConcurrency)
            .AboveAtMost(nameof(o.TargetUtilizationPercentage), o.TargetUtilizationPercentage, 0, 100)
            .Positive(nameof(o.TargetRps), o.TargetRps)
            .Positive(nameof(o.StableWindow), o.StableWindow)
            .AboveAtMost(nameof(o.PanicWindowPercentage), o.PanicWindowPercentage, 0, 100)
            .Positive(nameof(o.PanicThresholdPercentage), o.PanicThresholdPercentage)
            // Rates are factors per tick: 1 or less would forbid scaling in that direction at all.
            .Above(nameof(o.MaxScaleUpRate), o.MaxScaleUpRate, 1)
            .Above(nameof(o.MaxScaleDownRate), o.MaxScaleDownRate, 1)
            .NotNegative(nameof(o.ScaleToZeroGracePeriod), o.ScaleToZeroGracePeriod)
            .NotNegative(nameof(o.ScaleToZeroPodRetentionPeriod), o.ScaleToZeroPodRetentionPeriod)
            .NotNegative(nameof(o.ScaleDownDelay), o.ScaleDownDelay)
            .NotNegative(nameof(o.InitialScale), o.InitialScale)
            .NotNegative(nameof(o.MinScale), o.MinScale)
            .NotNegative(nameof(o.MaxScale), o.MaxScale)
            // MaxScale 0 is "no limit".
            .Check(o.MaxScale == 0 || o.MaxScale >= o.MinScale, nameof(o.MaxScale),
                $"must be 0 (no limit) or >= {AutoscalerOptions.Section}:{nameof(o.MinScale)} ({o.MinScale})", SettingRules.Show(o.MaxScale))
            .Positive(nameof(o.ActivationScale), o.ActivationScale)
            .Positive(nameof(o.TickInterval), o.TickInterval);
        var result = new ValidateOptionsResultBuilder();
        foreach (var error in rules.Errors) result.AddError(error);
        return result.Build();
    }
}
