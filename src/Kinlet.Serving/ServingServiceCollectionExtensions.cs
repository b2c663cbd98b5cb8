using Kinlet.Serving.Activator;
using Kinlet.Serving.Autoscaler;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Forwarding;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving;

public static class ServingServiceCollectionExtensions
{
    /// <summary>Router, activator, reconciler and service controller; the store and container runtime come from their own Add* calls.</summary>
    public static IServiceCollection AddKinletServing(this IServiceCollection services)
    {
        services.AddOptions<ServingOptions>().BindConfiguration(ServingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServingOptions>, ServingOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RevisionRegistry>();
        services.TryAddSingleton<ReconcileQueue>();
        services.TryAddSingleton<IDemandSignal>(sp => sp.GetRequiredService<ReconcileQueue>());
        services.TryAddSingleton<Router>();
        services.AddOptions<AutoscalerOptions>().BindConfiguration(AutoscalerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AutoscalerOptions>, AutoscalerOptionsValidation>());
        services.TryAddSingleton<KpaScalePolicy>();
        services.TryAddSingleton<IScalePolicy>(sp => sp.GetRequiredService<KpaScalePolicy>());
        services.TryAddSingleton<AutoscalerLoop>();
        services.TryAddSingleton<ReadinessProbes>();
        services.TryAddSingleton<InstanceLauncher>();
        services.TryAddSingleton<HealthMonitor>();
        services.TryAddSingleton<InstanceWork>();
        services.TryAddSingleton<IRevisionLifecycle>(sp => sp.GetRequiredService<ReconcileQueue>());
        services.AddOptions<RevisionGc.RevisionGcOptions>().BindConfiguration(RevisionGc.RevisionGcOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RevisionGc.RevisionGcOptions>, RevisionGc.RevisionGcOptionsValidation>());
        services.TryAddSingleton<RevisionGc.RevisionGcRunner>();
        services.TryAddSingleton<ServingWriteLoop>();
        services.TryAddSingleton<ServiceRevisionIndex>();
        services.TryAddSingleton<Routing.RouteTableBuilder>();
        services.TryAddSingleton<ServiceStatusRefresher>();
        services.TryAddSingleton<ServiceWriter>();
        services.TryAddSingleton<ServiceQueries>();
        services.TryAddSingleton<ServiceController>();
        services.TryAddSingleton<Secrets.SecretController>();
        services.TryAddSingleton<ConfigMaps.ConfigChangeFeed>();
        services.TryAddSingleton<ConfigMaps.IConfigChangeFeed>(sp => sp.GetRequiredService<ConfigMaps.ConfigChangeFeed>());
        services.TryAddSingleton<ConfigMaps.ConfigMapController>();
        services.TryAddSingleton<TrafficPolicy.TrafficPolicyBook>();
        services.TryAddSingleton<TrafficPolicy.RuleStatsBook>();
        services.TryAddSingleton<TrafficPolicy.PolicyCompiler>();
        services.TryAddSingleton<TrafficPolicy.TrafficPolicyController>();
        services.TryAddSingleton<RevisionStatusRecorder>();
        services.TryAddSingleton<IRevisionStatusSink>(sp => sp.GetRequiredService<RevisionStatusRecorder>());
        services.TryAddSingleton<Reconciler.RevisionReconciler>();
        services.TryAddSingleton<Logs.RecentInstanceLogs>();
        services.TryAddSingleton<Logs.ServiceActivity>();
        services.TryAddSingleton<Logs.ServiceLogReader>();
        // Lifecycle events reach `kinlet logs`, and every other layer's sink (eventing's lifecycle broker), through one fan-out.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Events.IPlatformEventSink, Core.Events.PlatformEventSink<Logs.ServiceActivity>>());
        services.TryAddSingleton<Core.Events.IPlatformEvents>(sp => new Core.Events.PlatformEventFanOut(sp.GetServices<Core.Events.IPlatformEventSink>()));
        services.TryAddSingleton<ContainerMonitor>();
        services.TryAddSingleton<RevisionActivator>();
        services.TryAddSingleton<ForwardingClient>();
        services.TryAddSingleton<Metrics.ServingMetrics>();
        services.AddHttpForwarder();
        services.TryAddSingleton<Protocols.UpgradeDrain>();
        services.TryAddSingleton<IngressHandler>();
        services.TryAddSingleton<ServingHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<ServingHostedService>());
        return services;
    }
}
