using Kinlet.Containers.Docker;
using Microsoft.Extensions.Configuration;
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
        // Configuration (when there is one) first, so that configure, the caller's own word, wins.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<DockerRuntimeOptions>, DockerRuntimeOptionsBinding>());
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerRuntimeOptions>, DockerRuntimeOptionsValidation>());
        services.TryAddSingleton(sp => new DockerContainerRuntime(
            sp.GetRequiredService<IOptions<DockerRuntimeOptions>>().Value,
            sp.GetService<ILogger<DockerContainerRuntime>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IContainerRuntime>(sp => sp.GetRequiredService<DockerContainerRuntime>());
        services.TryAddSingleton<Builds.IImageBuilder>(sp => sp.GetRequiredService<DockerContainerRuntime>());
        return services;
    }
}

/// <summary>Binds <see cref="DockerRuntimeOptions.Section"/> when the host has a configuration; without one (tests) there is nothing to bind.</summary>
internal sealed class DockerRuntimeOptionsBinding(IServiceProvider services) : IConfigureOptions<DockerRuntimeOptions>
{
    public void Configure(DockerRuntimeOptions options) =>
        services.GetService<IConfiguration>()?.GetSection(DockerRuntimeOptions.Section).Bind(options);
}
