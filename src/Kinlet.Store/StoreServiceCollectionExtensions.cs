using Kinlet.Store.Events;
using Kinlet.Store.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kinlet.Store;

public static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// The daemon's state in <paramref name="stateDir"/>: resources (<see cref="IResourceStore"/>, kinlet.db), secrets
    /// (<see cref="ISecretStore"/>, secrets.json) and the brokers' event log (<see cref="IEventLog"/> and
    /// <see cref="IDeliveryStore"/>, events.db). Each opens on first use; earlier registrations win (tests).
    /// </summary>
    public static IServiceCollection AddKinletStore(this IServiceCollection services, string stateDir)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(stateDir);
        services.TryAddSingleton<IResourceStore>(_ => LiteDbResourceStore.Open(stateDir));
        services.TryAddSingleton<ISecretStore>(_ => FileSecretStore.Open(stateDir));
        services.TryAddSingleton(_ => LiteDbEventLog.Open(stateDir));
        services.TryAddSingleton<IEventLog>(sp => sp.GetRequiredService<LiteDbEventLog>());
        services.TryAddSingleton<IDeliveryStore>(sp => sp.GetRequiredService<LiteDbEventLog>());
        return services;
    }
}
