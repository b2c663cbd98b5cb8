using System.Globalization;
using System.Threading.Channels;
using Kinlet.Core.Events;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Logs;

/// <summary>
/// kinletd's own lines about each service, for <c>kinlet logs</c>: the platform's lifecycle events (created,
/// updated, ready, revision ready/failed/scaled) and what the reconciler does to instances (starting, ready,
/// stopping, exited and restarted). A small ring per service keeps the recent ones; followers subscribe to a
/// service and get each new line at once. Appending never blocks and never throws: reconcilers and the request
/// path call it. A follower too slow to read loses its oldest lines, never delays anyone.
/// </summary>
public sealed class ServiceActivity(RevisionRegistry registry, RecentInstanceLogs recentInstances, TimeProvider time) : IPlatformEvents
{
    public const int MaxLinesPerService = 200;
    public const int MaxServices = 1000;
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private const int FollowerBuffer = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Namespace, string Service), Ring> _rings = [];

    /// <summary>A lifecycle event as a line, for the service it concerns (if any).</summary>
    public void Emit(PlatformEvent e)
    {
        try
        {
            if (Describe(e, registry) is not { } line) return;
            if (e.Type == "dev.kinlet.service.created")
            {
                // A new service of an old name starts clean: nothing of its predecessor shows.
                recentInstances.Forget(e.Namespace, line.Service);
                lock (_gate)
                {
                    if (_rings.TryGetValue((e.Namespace, line.Service), out var ring)) ring.Clear();
                }
            }
            Append(e.Namespace, line.Service, line.Revision, null, line.Text);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Never a reason for an emitter to fail.
        }
    }

    /// <summary>A line about a service (and one of its revisions or instances).</summary>
    public void Append(string @namespace, string service, string? revision, string? instance, string text)
    {
        if (service.Length == 0) return;
        var entry = new ServiceLogEntry(time.GetUtcNow(), LogSource.Kinletd, revision, instance, null, text);
        lock (_gate)
        {
            if (!_rings.TryGetValue((@namespace, service), out var ring))
            {
                if (_rings.Count >= MaxServices) EvictOldestLocked();
                _rings[(@namespace, service)] = ring = new Ring();
            }
            ring.Add(entry, entry.Time - MaxAge);
            foreach (var follower in ring.Followers) follower.Writer.TryWrite(entry);
        }
    }

    /// <summary>
    /// The service's recent lines, and (when <paramref name="follow"/>) every later one as it comes: no line is
    /// in both, none falls between. Dispose the subscription to stop.
    /// </summary>
    public Subscription Subscribe(string @namespace, string service, bool follow)
    {
        lock (_gate)
        {
            _rings.TryGetValue((@namespace, service), out var ring);
            var recent = ring?.Snapshot(time.GetUtcNow() - MaxAge) ?? [];
            if (!follow) return new Subscription(this, @namespace, service, recent, null);
            if (ring is null) _rings[(@namespace, service)] = ring = new Ring();
            var channel = Channel.CreateBounded<ServiceLogEntry>(new BoundedChannelOptions(FollowerBuffer)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
            });
            ring.Followers.Add(channel);
            return new Subscription(this, @namespace, service, recent, channel);
        }
    }

    private void Unsubscribe(string @namespace, string service, Channel<ServiceLogEntry> channel)
    {
        lock (_gate)
        {
            if (_rings.TryGetValue((@namespace, service), out var ring)) ring.Followers.Remove(channel);
        }
        channel.Writer.TryComplete();
    }

    private void EvictOldestLocked()
    {
        var oldest = _rings.Where(r => r.Value.Followers.Count == 0).MinBy(r => r.Value.LastAt);
        if (oldest.Value is not null) _rings.Remove(oldest.Key);
    }

    /// <summary>The line for a lifecycle event and the service it is about; null for events about no service.</summary>
    internal static (string Service, string? Revision, string Text)? Describe(PlatformEvent e, RevisionRegistry? registry)
    {
        string? Data(string key) => e.Data.TryGetValue(key, out var v) && v is not null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        switch (e.Type)
        {
            case "dev.kinlet.service.created":
                return (e.Name, Data("revision"), Data("revision") is { } created ? $"service created, revision {created}" : "service created");
            case "dev.kinlet.service.updated":
                return (e.Name, Data("revision"), Data("revision") is { } updated ? $"service updated, new revision {updated}" : "service updated");
            case "dev.kinlet.service.ready":
                return (e.Name, null, $"service ready at {Data("url")}, serving {Data("latestReadyRevisionName")}");
            case "dev.kinlet.service.deleted":
                return (e.Name, null, "service deleted");
        }
        if (e.Resource != "revision") return null;
        var service = Data("service") ?? registry?.Find(e.Namespace, e.Name)?.ServiceName;
        if (string.IsNullOrEmpty(service)) return null;
        return e.Type switch
        {
            "dev.kinlet.revision.ready" => (service, e.Name, $"revision {e.Name} ready"),
            "dev.kinlet.revision.failed" => (service, e.Name, $"revision {e.Name} failed: {Data("reason")}: {FirstLine(Data("message"))}"),
            "dev.kinlet.revision.scaled" => (service, e.Name,
                $"revision {e.Name} scaled {Data("from")} \u2192 {Data("to")}" + (Data("reason") is { Length: > 0 } why ? $" ({why})" : "")),
            _ => (service, e.Name, $"revision {e.Name}: {e.Type}"),
        };
    }

    /// <summary>A failure message's first line: they end with the container's last lines, which the logs show as instance lines.</summary>
    public static string FirstLine(string? message)
    {
        var text = (message ?? "").Split('\n', 2)[0].Trim();
        const string logs = "Last log lines:";
        return text.EndsWith(logs, StringComparison.Ordinal) ? text[..^logs.Length].TrimEnd() : text;
    }

    /// <summary>Recent lines, and the live ones when following.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly ServiceActivity _owner;
        private readonly string _namespace;
        private readonly string _service;
        private readonly Channel<ServiceLogEntry>? _channel;

        internal Subscription(ServiceActivity owner, string @namespace, string service, IReadOnlyList<ServiceLogEntry> recent, Channel<ServiceLogEntry>? channel)
        {
            _owner = owner;
            _namespace = @namespace;
            _service = service;
            Recent = recent;
            _channel = channel;
        }

        public IReadOnlyList<ServiceLogEntry> Recent { get; }

        /// <summary>Lines appended after the subscription; empty (and complete) when not following.</summary>
        public ChannelReader<ServiceLogEntry> Live => _channel?.Reader ?? Completed;

        public void Dispose()
        {
            if (_channel is not null) _owner.Unsubscribe(_namespace, _service, _channel);
        }

        private static readonly ChannelReader<ServiceLogEntry> Completed = CreateCompleted();

        private static ChannelReader<ServiceLogEntry> CreateCompleted()
        {
            var c = Channel.CreateUnbounded<ServiceLogEntry>();
            c.Writer.Complete();
            return c.Reader;
        }
    }

    private sealed class Ring
    {
        private readonly Queue<ServiceLogEntry> _lines = new();

        public List<Channel<ServiceLogEntry>> Followers { get; } = [];

        public DateTimeOffset LastAt { get; private set; }

        public void Add(ServiceLogEntry entry, DateTimeOffset oldest)
        {
            _lines.Enqueue(entry);
            LastAt = entry.Time;
            while (_lines.Count > MaxLinesPerService || (_lines.TryPeek(out var first) && first.Time < oldest)) _lines.Dequeue();
        }

        public IReadOnlyList<ServiceLogEntry> Snapshot(DateTimeOffset oldest) => [.. _lines.Where(l => l.Time >= oldest)];

        public void Clear() => _lines.Clear();
    }
}
