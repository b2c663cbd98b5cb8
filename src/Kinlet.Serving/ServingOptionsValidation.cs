using Kinlet.Core;
using Kinlet.Core.Model;
using Kinlet.Core.Settings;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving;

/// <summary>Checks <see cref="ServingOptions"/> when kinletd starts (ValidateOnStart): a bad value stops it with one line per setting.</summary>
public sealed class ServingOptionsValidation : IValidateOptions<ServingOptions>
{
    public ValidateOptionsResult Validate(string? name, ServingOptions o)
    {
        var rules = new SettingRules(ServingOptions.Section)
            .NotEmpty(nameof(o.Domain), o.Domain)
            .Port(nameof(o.IngressPort), o.IngressPort)
            .Check(o.IngressH2cPort is >= 0 and <= 65535, nameof(o.IngressH2cPort), "must be 0 (off) or a port", o.IngressH2cPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .NotNegative(nameof(o.UpgradeDrainPeriod), o.UpgradeDrainPeriod)
            .Positive(nameof(o.ReadinessInterval), o.ReadinessInterval)
            .NotNegative(nameof(o.TcpProbeHoldWindow), o.TcpProbeHoldWindow)
            .Positive(nameof(o.ProgressDeadline), o.ProgressDeadline)
            .NotNegative(nameof(o.StopGracePeriod), o.StopGracePeriod)
            .Positive(nameof(o.ResyncInterval), o.ResyncInterval)
            // Empty: no default limit; anything else must read as a quantity, or it would silently be none.
            .Check(string.IsNullOrEmpty(o.DefaultMemoryLimit) || Quantity.TryParseBytes(o.DefaultMemoryLimit, out _),
                nameof(o.DefaultMemoryLimit), "must be a memory quantity such as 512Mi or 1Gi", $"\"{o.DefaultMemoryLimit}\"")
            .Positive(nameof(o.RestartBackoffInitial), o.RestartBackoffInitial)
            .AtLeast(nameof(o.RestartBackoffMax), o.RestartBackoffMax, nameof(o.RestartBackoffInitial), o.RestartBackoffInitial)
            .Positive(nameof(o.DefaultTimeoutSeconds), o.DefaultTimeoutSeconds)
            .AtLeast(nameof(o.MaxTimeoutSeconds), o.MaxTimeoutSeconds, nameof(o.DefaultTimeoutSeconds), o.DefaultTimeoutSeconds)
            .Positive(nameof(o.ActivatorQueueDepth), o.ActivatorQueueDepth)
            .OneOf(nameof(o.Standby), o.Standby, KnownKeys.StandbyNone, KnownKeys.StandbyFrozen);
        var result = new ValidateOptionsResultBuilder();
        foreach (var error in rules.Errors) result.AddError(error);
        return result.Build();
    }
}
