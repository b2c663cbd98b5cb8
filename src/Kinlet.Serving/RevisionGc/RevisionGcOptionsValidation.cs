using Kinlet.Core.Settings;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.RevisionGc;

/// <summary>Checks <see cref="RevisionGcOptions"/> when kinletd starts. MaxNonActiveRevisions of 0 or less means no cap, so it has no rule.</summary>
public sealed class RevisionGcOptionsValidation : IValidateOptions<RevisionGcOptions>
{
    public ValidateOptionsResult Validate(string? name, RevisionGcOptions o)
    {
        var rules = new SettingRules(RevisionGcOptions.Section)
            .NotNegative(nameof(o.RetainSinceCreateTime), o.RetainSinceCreateTime)
            .NotNegative(nameof(o.RetainSinceLastActiveTime), o.RetainSinceLastActiveTime)
            .NotNegative(nameof(o.MinNonActiveRevisions), o.MinNonActiveRevisions)
            .Positive(nameof(o.Interval), o.Interval);
        var result = new ValidateOptionsResultBuilder();
        foreach (var error in rules.Errors) result.AddError(error);
        return result.Build();
    }
}
