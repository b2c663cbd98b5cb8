using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Ingress;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kinlet.Eventing;

public static class EventingServiceCollectionExtensions
{
    /// <summary>Brokers and their ingress; the store and the event log come from the daemon.</summary>
    public static IServiceCollection AddKinletEventing(this IServiceCollection services)
    {
        services.AddOptions<EventingOptions>().BindConfiguration(EventingOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BrokerController>();
        services.TryAddSingleton<TriggerController>();
        services.TryAddSingleton<BrokerIngress>();
        return services;
    }
}
