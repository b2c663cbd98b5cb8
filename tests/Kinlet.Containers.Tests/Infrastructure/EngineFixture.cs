using Docker.DotNet;
using Kinlet.Containers.Docker;

namespace Kinlet.Containers.Tests.Infrastructure;

/// <summary>
/// The real engine, shared by a test class. A missing engine fails every test that uses it (never a skip):
/// the engine is part of the product's environment, and a green run without it would prove nothing.
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public DockerContainerRuntime Runtime { get; } = new(new DockerRuntimeOptions());

    /// <summary>The raw client, to check what the runtime asked of the engine (HostConfig and the like).</summary>
    public DockerClient Client { get; } = new DockerClientConfiguration(new DockerRuntimeOptions().EndpointUri()).CreateClient();

    public async Task InitializeAsync()
    {
        try
        {
            await Runtime.PingAsync(CancellationToken.None).WaitAsync(Bound);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"The Docker engine at {Runtime.Endpoint} is not reachable; these tests need it (start it: dockerd). {e.Message}", e);
        }
        await TestImage.EnsureAsync(Client, CancellationToken.None).WaitAsync(Bound);
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        return Task.CompletedTask;
    }
}
