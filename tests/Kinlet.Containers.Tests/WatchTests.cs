using Kinlet.Containers.Tests.Infrastructure;

namespace Kinlet.Containers.Tests;

public sealed class WatchTests(EngineFixture engine) : EngineTest(engine)
{
    [Fact]
    public async Task Watch_yields_start_then_die_with_the_exit_code()
    {
        using var stop = new CancellationTokenSource();
        var events = new List<ContainerEvent>();
        var died = new TaskCompletionSource<ContainerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = Consume(Runtime.WatchAsync(RunLabels, stop.Token), e =>
        {
            lock (events) events.Add(e);
            if (e.Action == "die") died.TrySetResult(e);
            return true;
        });

        var started = await RunShellAsync("dies", "sleep 1; exit 7");
        var die = await died.Task.WaitAsync(Bound);
        await stop.CancelAsync();
        await watching.WaitAsync(Bound);

        Assert.Equal(started.Id, die.ContainerId);
        Assert.Equal(7, die.ExitCode);
        Assert.Equal(RunId, die.Labels[TestLabel]);
        Assert.False(die.Labels.ContainsKey("exitCode"));
        Assert.True(die.Time > DateTimeOffset.UtcNow.AddMinutes(-5));
        var actions = events.Where(e => e.ContainerId == started.Id).Select(e => e.Action).ToList();
        // Watching from the call, so the create is not missed however long the stream takes to connect; in the engine's order.
        Assert.Equal(["create", "start", "die"], actions.Where(a => a is "create" or "start" or "die"));
    }

    [Fact]
    public async Task Watch_only_sees_containers_with_its_labels()
    {
        using var stop = new CancellationTokenSource();
        var events = new List<ContainerEvent>();
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var selector = new Dictionary<string, string> { [TestLabel] = RunId, ["dev.kinlet.test.watch"] = "" };
        var watching = Consume(Runtime.WatchAsync(selector, stop.Token), e =>
        {
            lock (events) events.Add(e);
            if (e.Action == "create") mine.TrySetResult();
            return true;
        });

        await Runtime.CreateAsync(Spec("unwatched"), CancellationToken.None).WaitAsync(Bound);
        var watched = await Runtime.CreateAsync(Spec("watched") with
        {
            Labels = new Dictionary<string, string>(RunLabels) { ["dev.kinlet.test.watch"] = "yes" },
        }, CancellationToken.None).WaitAsync(Bound);
        await mine.Task.WaitAsync(Bound);
        await stop.CancelAsync();
        await watching.WaitAsync(Bound);

        Assert.All(events, e => Assert.Equal(watched, e.ContainerId));
    }

    [Fact]
    public async Task Watch_completes_when_cancelled()
    {
        using var stop = new CancellationTokenSource();
        var enumerator = Runtime.WatchAsync(RunLabels, stop.Token).GetAsyncEnumerator(CancellationToken.None);
        var next = enumerator.MoveNextAsync().AsTask();

        await Task.Delay(200);
        await stop.CancelAsync();

        Assert.False(await next.WaitAsync(Bound));
        await enumerator.DisposeAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task Leaving_a_watch_early_closes_it()
    {
        var first = new TaskCompletionSource<ContainerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = Consume(Runtime.WatchAsync(RunLabels, CancellationToken.None), e =>
        {
            first.TrySetResult(e);
            return false;
        });

        await Runtime.CreateAsync(Spec("early"), CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("create", (await first.Task.WaitAsync(Bound)).Action);
        await watching.WaitAsync(Bound);
    }

    /// <summary>
    /// Enumerates until <paramref name="onEvent"/> says stop. Starts enumerating before it returns (no Task.Run),
    /// so that the watch is open before the test makes its containers.
    /// </summary>
    private static async Task Consume(IAsyncEnumerable<ContainerEvent> events, Func<ContainerEvent, bool> onEvent)
    {
        await foreach (var e in events)
        {
            if (!onEvent(e)) break;
        }
    }
}
