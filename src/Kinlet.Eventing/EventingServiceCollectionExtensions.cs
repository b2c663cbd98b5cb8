using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Dispatcher;
using Kinlet.Eventing.Metrics;
using Kinlet.Eventing.Retention;
using Kinlet.Eventing.Sources;
using Kinlet.Eventing.Ingress;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing;

public static class EventingServiceCollectionExtensions
{
    /// <summary>Brokers, their ingress, triggers and their dispatchers; the store and the event log (<see cref="Store.Events.IEventLog"/> and <see cref="Store.Events.IDeliveryStore"/>) come from the daemon.</summary>
    public static IServiceCollection AddKinletEventing(this IServiceCollection services)
    {
        services.AddOptions<EventingOptions>().BindConfiguration(EventingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventingOptions>, EventingOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BrokerController>();
        services.TryAddSingleton<TriggerController>();
        services.TryAddSingleton<BrokerIngress>();
        services.TryAddSingleton<EventingChanges>();
        services.TryAddSingleton<BrokerSignals>();
        services.TryAddSingleton<EventPublisher>();
        services.TryAddSingleton<SinkResolver>();
        services.TryAddSingleton<EventSender>();
        services.TryAddSingleton<EventingMetrics>();
        services.TryAddSingleton<TriggerCounters>();
        services.AddHostedService<DispatcherService>();
        services.TryAddSingleton<PingSourceController>();
        services.AddHostedService<PingScheduler>();
        services.TryAddSingleton<LifecycleEvents>();
        // One IPlatformEvents for the whole daemon, fanning out to every layer's sink (serving adds `kinlet logs`).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Events.IPlatformEventSink, Core.Events.PlatformEventSink<LifecycleEvents>>());
        services.TryAddSingleton<Core.Events.IPlatformEvents>(sp => new Core.Events.PlatformEventFanOut(sp.GetServices<Core.Events.IPlatformEventSink>()));
        services.AddHostedService(sp => sp.GetRequiredService<LifecycleEvents>());
        services.TryAddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        return services;
    }
}
