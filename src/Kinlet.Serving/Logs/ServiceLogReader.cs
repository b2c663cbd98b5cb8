using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kinlet.Containers;
using Kinlet.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Logs;

/// <summary>
/// A service's logs: every instance's container output (found by this daemon's container labels), the last lines
/// of instances already removed (<see cref="RecentInstanceLogs"/>) and kinletd's own lines about the service
/// (<see cref="ServiceActivity"/>). First what there is, ordered by time; then, when following, new lines as they
/// come, from running instances and from every instance that starts later, until the caller cancels.
/// </summary>
public sealed partial class ServiceLogReader(
    IContainerRuntime runtime,
    RecentInstanceLogs recent,
    ServiceActivity activity,
    IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<ServiceLogReader> logger)
{
    private const int FollowBuffer = 1000;

    /// <summary>A line read before following may show up again when following starts: the overlap is this wide.</summary>
    private static readonly TimeSpan FollowOverlap = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<ServiceLogEntry> ReadAsync(ServiceLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cutoff = query.Since is { } since ? time.GetUtcNow() - since : (DateTimeOffset?)null;
        var labels = new Dictionary<string, string>
        {
            [KnownKeys.ContainerDaemon] = options.Value.DaemonId,
            [KnownKeys.ContainerNamespace] = query.Namespace,
            [KnownKeys.ContainerService] = query.Service,
        };
        if (query.Revision is { } revision) labels[KnownKeys.ContainerRevision] = revision;
        if (query.Container is { } only) labels[KnownKeys.ContainerName] = only;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var daemonLines = activity.Subscribe(query.Namespace, query.Service, query.Follow);
        var live = Channel.CreateBounded<ServiceLogEntry>(new BoundedChannelOptions(FollowBuffer) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        var follow = new Follow(this, live.Writer, stop.Token, query);
        if (query.Follow)
        {
            // Before the listing: an instance that starts while the backlog is read is attached by its start event.
            follow.Start(WatchAsync(labels, follow, cutoff, stop.Token));
            follow.Start(PumpDaemonLinesAsync(daemonLines.Live, query, live.Writer, stop.Token));
        }

        try
        {
            // The backlog, ordered by time.
            var backlog = new List<ServiceLogEntry>();
            var listedAt = time.GetUtcNow();
            IReadOnlyList<ContainerInfo> containers = [];
            try
            {
                containers = await runtime.ListAsync(labels, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                backlog.Add(Daemon($"instance logs unavailable: {e.Message}"));
            }
            var followFrom = new List<(ContainerInfo Container, DateTimeOffset Since, DateTimeOffset? Skip)>();
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in containers)
            {
                // Instance and container: an init container's kept lines still show while its instance runs.
                var name = Label(c, KnownKeys.ContainerInstance) is { } instanceName ? instanceName + "/" + Label(c, KnownKeys.ContainerName) : null;
                // Never started: its start event brings it. Taken by the watch already: its lines come from there.
                if (c.State == ContainerRunState.Created || !follow.Claim(c.Id))
                {
                    if (name is not null) present.Add(name);
                    continue;
                }
                var lines = new List<ServiceLogEntry>();
                try
                {
                    await foreach (var line in runtime.StreamLogsAsync(c.Id, new LogOptions { Since = cutoff, Tail = query.Tail }, cancellationToken).ConfigureAwait(false))
                        lines.Add(Entry(c, line));
                }
                catch (ContainerEngineException e) when (e.StatusCode == 404)
                {
                    // Removed since the listing: its last lines were kept, and are read below.
                    continue;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReadFailed(c.Name, e.Message);
                }
                if (name is not null) present.Add(name);
                backlog.AddRange(lines);
                if (c.State is ContainerRunState.Running or ContainerRunState.Paused or ContainerRunState.Restarting)
                {
                    // Follow on from the last line seen; with none, from just before the listing (nothing was there).
                    var from = lines.Count > 0 ? lines[^1].Time
                        : query.Tail == 0 ? listedAt
                        : Max(cutoff, listedAt - FollowOverlap);
                    followFrom.Add((c, from, lines.Count > 0 ? lines[^1].Time : null));
                }
            }
            foreach (var gone in recent.For(query.Namespace, query.Service))
            {
                if (present.Contains(gone.Instance + "/" + gone.Container) || (query.Revision is { } rev && gone.Revision != rev)) continue;
                if (query.Container is { } wanted && gone.Container != wanted) continue;
                IEnumerable<LogLine> lines = gone.Lines;
                if (cutoff is { } c) lines = lines.Where(l => l.Time >= c);
                var container = gone.Serving ? null : gone.Container;
                backlog.AddRange(Tail(lines.ToList(), query.Tail).Select(l =>
                    new ServiceLogEntry(l.Time, LogSource.Instance, gone.Revision, gone.Instance, l.Stream, l.Text) { Container = container }));
            }
            backlog.AddRange(Tail(Filter(daemonLines.Recent, query, cutoff).ToList(), query.Tail));

            foreach (var entry in backlog.OrderBy(e => e.Time)) yield return entry;
            if (!query.Follow) yield break;

            foreach (var (c, from, skip) in followFrom) follow.Attach(c, from, skip);
            await foreach (var entry in live.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return entry;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await follow.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Attaches to each instance that starts while following; reconnects (and lists again) when the engine's stream drops.</summary>
    private async Task WatchAsync(Dictionary<string, string> labels, Follow follow, DateTimeOffset? cutoff, CancellationToken cancellationToken)
    {
        var backoff = new ReconnectBackoff(time);
        var reconnecting = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var events = runtime.WatchAsync(labels, cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (events.ConfigureAwait(false))
                {
                    var next = events.MoveNextAsync();
                    if (reconnecting)
                    {
                        // What started while the stream was down.
                        foreach (var c in await runtime.ListAsync(labels, cancellationToken).ConfigureAwait(false))
                            if (c.State is ContainerRunState.Running && follow.Claim(c.Id)) follow.Attach(c, cutoff, null);
                    }
                    while (await next.ConfigureAwait(false))
                    {
                        backoff.Reset();
                        var e = events.Current;
                        if (e.Action == "start" && follow.Claim(e.ContainerId))
                        {
                            var c = new ContainerInfo
                            {
                                Id = e.ContainerId,
                                Name = Label(e.Labels, KnownKeys.ContainerInstance) ?? e.ContainerId,
                                Image = "",
                                Labels = e.Labels,
                                State = ContainerRunState.Running,
                            };
                            follow.Attach(c, cutoff, null);
                        }
                        next = events.MoveNextAsync();
                    }
                }
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWatchLost(e.Message);
            }
            if (!await backoff.WaitAsync(cancellationToken).ConfigureAwait(false)) return;
            reconnecting = true;
        }
    }

    private static async Task PumpDaemonLinesAsync(ChannelReader<ServiceLogEntry> lines, ServiceLogQuery query, ChannelWriter<ServiceLogEntry> live, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entry in lines.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                if (query.Revision is null || entry.Revision == query.Revision) await live.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Streams one running container into the live channel until it stops or following ends.</summary>
    private async Task FollowContainerAsync(ContainerInfo c, DateTimeOffset? since, DateTimeOffset? skipUntil, ChannelWriter<ServiceLogEntry> live, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in runtime.StreamLogsAsync(c.Id, new LogOptions { Follow = true, Since = since }, cancellationToken).ConfigureAwait(false))
            {
                if (skipUntil is { } skip && line.Time <= skip) continue;
                await live.WriteAsync(Entry(c, line), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ContainerEngineException e) when (e.StatusCode == 404)
        {
            // Removed before we got to it: its last lines are in the recent logs.
        }
        catch (Exception e)
        {
            LogReadFailed(c.Name, e.Message);
        }
    }

    private static IEnumerable<ServiceLogEntry> Filter(IEnumerable<ServiceLogEntry> lines, ServiceLogQuery query, DateTimeOffset? cutoff) =>
        lines.Where(l => (query.Revision is null || l.Revision == query.Revision) && (cutoff is not { } c || l.Time >= c));

    private static IEnumerable<T> Tail<T>(IReadOnlyList<T> lines, int? tail) =>
        tail is { } n && n < lines.Count ? lines.Skip(lines.Count - Math.Max(0, n)) : lines;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private ServiceLogEntry Daemon(string text) => new(time.GetUtcNow(), LogSource.Kinletd, null, null, null, text);

    private static ServiceLogEntry Entry(ContainerInfo c, LogLine line) =>
        new(line.Time, LogSource.Instance, Label(c, KnownKeys.ContainerRevision), Label(c, KnownKeys.ContainerInstance) ?? c.Name, line.Stream, line.Text)
        {
            // Only a sidecar's or an init container's lines say which: the serving container's read as they always did.
            Container = Label(c, KnownKeys.ContainerRole) is KnownKeys.RoleSidecar or KnownKeys.RoleInit ? Label(c, KnownKeys.ContainerName) : null,
        };

    private static string? Label(ContainerInfo c, string key) => Label(c.Labels, key);

    private static string? Label(IReadOnlyDictionary<string, string> labels, string key) =>
        labels.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    /// <summary>The followed containers of one read: each attached once, all stopped together.</summary>
    private sealed class Follow(ServiceLogReader owner, ChannelWriter<ServiceLogEntry> live, CancellationToken stopping, ServiceLogQuery query)
    {
        private readonly ConcurrentDictionary<string, byte> _claimed = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<Task, byte> _tasks = new();

        /// <summary>True for the first caller with this container id.</summary>
        public bool Claim(string containerId) => _claimed.TryAdd(containerId, 0);

        public void Attach(ContainerInfo c, DateTimeOffset? since, DateTimeOffset? skipUntil)
        {
            if (!query.Follow || stopping.IsCancellationRequested) return;
            Start(owner.FollowContainerAsync(c, since, skipUntil, live, stopping));
        }

        public void Start(Task task)
        {
            _tasks.TryAdd(task, 0);
            task.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _tasks,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public async Task StopAsync()
        {
            try
            {
                await Task.WhenAll(_tasks.Keys.ToArray()).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
            }
            live.TryComplete();
        }
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Debug, Message = "Reading the logs of {Container} failed: {Error}")]
    private partial void LogReadFailed(string container, string error);

    [LoggerMessage(EventId = 131, Level = LogLevel.Debug, Message = "Lost the engine's event stream while following logs ({Error}); reconnecting")]
    private partial void LogWatchLost(string error);
}
