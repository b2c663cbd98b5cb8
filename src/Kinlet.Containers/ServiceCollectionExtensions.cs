using Kinlet.Containers.Docker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Containers;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IContainerRuntime"/> as the Docker runtime (also injectable as <see cref="DockerContainerRuntime"/>),
    /// configured through <c>IOptions&lt;DockerRuntimeOptions&gt;</c> so that configuration binding can add to <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddDockerContainerRuntime(this IServiceCollection services, Action<DockerRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DockerRuntimeOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(sp => new DockerContainerRuntime(
            sp.GetRequiredService<IOptions<DockerRuntimeOptions>>().Value,
            sp.GetService<ILogger<DockerContainerRuntime>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IContainerRuntime>(sp => sp.GetRequiredService<DockerContainerRuntime>());
        services.TryAddSingleton<Builds.IImageBuilder>(sp => sp.GetRequiredService<DockerContainerRuntime>());
        return services;
    }
}
