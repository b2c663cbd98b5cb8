using Kinlet.Containers.Docker;
using Kinlet.Containers.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Kinlet.Containers.Tests;

public sealed class EngineTests(EngineFixture engine) : EngineTest(engine)
{
    [Fact]
    public async Task Ping_answers()
    {
        await Runtime.PingAsync(CancellationToken.None).WaitAsync(Bound);
    }

    [Fact]
    public async Task An_unreachable_engine_is_engine_unavailable()
    {
        var runtime = new DockerContainerRuntime(new DockerRuntimeOptions { DockerHost = $"unix:///tmp/kinlet-no-engine-{RunId}.sock" });

        var ping = await Assert.ThrowsAsync<EngineUnavailableException>(() => runtime.PingAsync(CancellationToken.None).WaitAsync(Bound));
        var list = await Assert.ThrowsAsync<EngineUnavailableException>(() => runtime.ListAsync(RunLabels, CancellationToken.None).WaitAsync(Bound));
        var pull = await Assert.ThrowsAsync<EngineUnavailableException>(() => runtime.EnsureImageAsync(TestImage.Name, null, CancellationToken.None).WaitAsync(Bound));

        Assert.Contains("not reachable", ping.Message, StringComparison.Ordinal);
        Assert.Contains("kinlet-no-engine", list.Message, StringComparison.Ordinal);
        Assert.NotNull(pull.InnerException);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runtime.ListAsync(RunLabels, cancelled.Token).WaitAsync(Bound));
    }

    [Fact]
    public async Task Registration_gives_one_runtime_with_the_configured_endpoint()
    {
        var services = new ServiceCollection()
            .AddDockerContainerRuntime(o => o.DockerHost = "unix:///var/run/docker.sock")
            .AddDockerContainerRuntime(o => o.CallTimeout = TimeSpan.FromSeconds(5));
        await using var provider = services.BuildServiceProvider();

        var runtime = provider.GetRequiredService<IContainerRuntime>();

        Assert.Same(runtime, provider.GetRequiredService<DockerContainerRuntime>());
        Assert.Equal(new Uri("unix:///var/run/docker.sock"), ((DockerContainerRuntime)runtime).Endpoint);
        await runtime.PingAsync(CancellationToken.None).WaitAsync(Bound);
    }
}
