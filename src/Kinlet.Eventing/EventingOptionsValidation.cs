using Kinlet.Core.Settings;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing;

/// <summary>Checks <see cref="EventingOptions"/> when kinletd starts: a bad value stops it with one line per setting.</summary>
public sealed class EventingOptionsValidation : IValidateOptions<EventingOptions>
{
    public ValidateOptionsResult Validate(string? name, EventingOptions o)
    {
        var rules = new SettingRules(EventingOptions.Section)
            .Port(nameof(o.IngressPort), o.IngressPort)
            .NotEmpty(nameof(o.IngressHost), o.IngressHost)
            .NotEmpty(nameof(o.Domain), o.Domain)
            .Positive(nameof(o.MaxRequestBytes), o.MaxRequestBytes)
            .NotEmpty(nameof(o.IngressConnectAddress), o.IngressConnectAddress)
            .Positive(nameof(o.DeliveryParallelism), o.DeliveryParallelism)
            .Positive(nameof(o.DeliveryTimeout), o.DeliveryTimeout)
            .NotNegative(nameof(o.RetentionAge), o.RetentionAge)
            .NotNegative(nameof(o.RetentionMaxEvents), o.RetentionMaxEvents)
            .Positive(nameof(o.RetentionInterval), o.RetentionInterval)
            .Positive(nameof(o.DefaultTtl), o.DefaultTtl);
        var result = new ValidateOptionsResultBuilder();
        foreach (var error in rules.Errors) result.AddError(error);
        return result.Build();
    }
}
