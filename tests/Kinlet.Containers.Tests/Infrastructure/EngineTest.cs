using Kinlet.Containers.Docker;

namespace Kinlet.Containers.Tests.Infrastructure;

/// <summary>
/// Base of the tests that use the engine: every container it makes carries <c>dev.kinlet.test=&lt;run id&gt;</c>
/// and is removed after the test, whatever happened.
/// </summary>
public abstract class EngineTest(EngineFixture engine) : IClassFixture<EngineFixture>, IAsyncLifetime
{
    public const string TestLabel = "dev.kinlet.test";

    protected static readonly TimeSpan Bound = EngineFixture.Bound;

    /// <summary>
    /// Wider than the 10 ms default: with other tests starting containers on a small machine, docker-proxy takes up
    /// to ~150 ms to drop a connection it cannot forward (measured), which a 10 ms window would take for a listening app.
    /// </summary>
    protected static readonly TimeSpan LoadTolerantHoldWindow = TimeSpan.FromMilliseconds(250);

    protected EngineFixture Engine { get; } = engine;
    protected DockerContainerRuntime Runtime => Engine.Runtime;
    protected string RunId { get; } = Guid.NewGuid().ToString("N")[..12];
    protected IReadOnlyDictionary<string, string> RunLabels => new Dictionary<string, string> { [TestLabel] = RunId };

    protected ContainerSpec Spec(string suffix, params string[] args) => new()
    {
        Name = $"kinlet-test-{RunId}-{suffix}",
        Image = TestImage.Name,
        Labels = RunLabels,
        Env = [],
        ContainerPort = 8080,
        Args = args.Length > 0 ? args : null,
    };

    /// <summary>Create and start; returns the started container.</summary>
    protected async Task<ContainerInfo> RunAsync(ContainerSpec spec)
    {
        var id = await Runtime.CreateAsync(spec, CancellationToken.None).WaitAsync(Bound);
        return await Runtime.StartAsync(id, CancellationToken.None).WaitAsync(Bound);
    }

    protected Task<ContainerInfo> RunShellAsync(string suffix, string script) => RunAsync(Spec(suffix, "sh", "-c", script));

    /// <summary>Polls until the container has exited (bounded); for tests that need an ended container.</summary>
    protected async Task<ContainerInfo> WaitForExitAsync(string id)
    {
        async Task<ContainerInfo> Poll()
        {
            while (true)
            {
                var info = await Runtime.InspectAsync(id, CancellationToken.None);
                if (info is null || info.State is ContainerRunState.Exited or ContainerRunState.Dead) return info!;
                await Task.Delay(50);
            }
        }
        return await Poll().WaitAsync(Bound);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var left = await Runtime.ListAsync(RunLabels, CancellationToken.None).WaitAsync(Bound);
        foreach (var c in left)
            await Runtime.RemoveAsync(c.Id, CancellationToken.None).WaitAsync(Bound);
    }
}
