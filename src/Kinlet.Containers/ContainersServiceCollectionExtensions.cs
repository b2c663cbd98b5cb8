using Kinlet.Containers.Docker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kinlet.Containers;

public static class ContainersServiceCollectionExtensions
{
    /// <summary>One Docker client for the process, behind <see cref="IContainerRuntime"/>.</summary>
    public static IServiceCollection AddDockerContainerRuntime(this IServiceCollection services, Action<DockerRuntimeOptions>? configure = null)
    {
        var options = new DockerRuntimeOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton<IContainerRuntime>(sp => new DockerContainerRuntime(sp.GetRequiredService<DockerRuntimeOptions>()));
        return services;
    }
}
