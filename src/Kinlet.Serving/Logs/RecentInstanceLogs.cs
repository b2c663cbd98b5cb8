using Kinlet.Containers;

namespace Kinlet.Serving.Logs;

/// <summary>The last lines of an instance whose container is gone.</summary>
/// <param name="Container">The container's name in the revision, when known.</param>
/// <param name="Serving">False for a sidecar's or an init container's lines.</param>
public sealed record CapturedInstance(string Namespace, string Service, string Revision, string Instance, DateTimeOffset EndedAt, IReadOnlyList<LogLine> Lines,
    string? Container = null, bool Serving = true);

/// <summary>
/// The last lines of recently removed instances (scaled down, crashed, replaced), so <c>kinlet logs</c> still shows
/// them after the reconciler removed their containers. Bounded everywhere: lines and bytes per instance, instances
/// per service, instances and bytes in all, and age. In memory only: a daemon restart forgets them.
/// </summary>
public sealed class RecentInstanceLogs(TimeProvider time)
{
    public const int MaxLinesPerInstance = 500;
    public const int MaxBytesPerInstance = 256 * 1024;
    public const int MaxInstancesPerService = 20;
    public const int MaxInstances = 500;
    public const long MaxTotalBytes = 32L * 1024 * 1024;
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(30);

    private readonly Lock _gate = new();
    // Oldest first: eviction takes from the front.
    private readonly LinkedList<(CapturedInstance Instance, long Bytes)> _entries = new();
    private long _bytes;

    /// <summary>Keeps the last lines of one instance (cut to the per-instance bounds).</summary>
    public void Record(string @namespace, string service, string revision, string instance, IReadOnlyList<LogLine> lines, string? container = null, bool serving = true)
    {
        var kept = Bound(lines, out var bytes);
        var captured = new CapturedInstance(@namespace, service, revision, instance, time.GetUtcNow(), kept, container, serving);
        lock (_gate)
        {
            // A container is recorded once; a second capture (a retried removal) replaces the first.
            Remove(n => n.Value.Instance.Namespace == @namespace && n.Value.Instance.Instance == instance && n.Value.Instance.Container == container && n.Value.Instance.Serving == serving);
            _entries.AddLast((captured, bytes));
            _bytes += bytes;
            // Beyond the per-service bound, the service's oldest go first.
            var ofService = _entries.Count(e => e.Instance.Namespace == @namespace && e.Instance.Service == service);
            for (var n = _entries.First; n is not null && ofService > MaxInstancesPerService;)
            {
                var next = n.Next;
                if (n.Value.Instance.Namespace == @namespace && n.Value.Instance.Service == service)
                {
                    Drop(n);
                    ofService--;
                }
                n = next;
            }
            PruneLocked();
        }
    }

    /// <summary>The captured instances of one service, oldest first.</summary>
    public IReadOnlyList<CapturedInstance> For(string @namespace, string service)
    {
        lock (_gate)
        {
            PruneLocked();
            return [.. _entries.Select(e => e.Instance).Where(i => i.Namespace == @namespace && i.Service == service)];
        }
    }

    /// <summary>Forgets a service's instances (a new service of the same name starts clean).</summary>
    public void Forget(string @namespace, string service)
    {
        lock (_gate) Remove(n => n.Value.Instance.Namespace == @namespace && n.Value.Instance.Service == service);
    }

    /// <summary>Instances held now (all services).</summary>
    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>Approximate memory held by their lines.</summary>
    public long Bytes
    {
        get { lock (_gate) return _bytes; }
    }

    /// <summary>The last lines within the per-instance bounds; <paramref name="bytes"/> is their size (UTF-16, as held).</summary>
    internal static IReadOnlyList<LogLine> Bound(IReadOnlyList<LogLine> lines, out long bytes)
    {
        bytes = 0;
        var first = lines.Count;
        while (first > 0 && lines.Count - first < MaxLinesPerInstance)
        {
            var size = Size(lines[first - 1]);
            if (bytes + size > MaxBytesPerInstance) break;
            bytes += size;
            first--;
        }
        return first == 0 ? [.. lines] : [.. lines.Skip(first)];
    }

    private static long Size(LogLine line) => 2L * line.Text.Length + 32;

    private void PruneLocked()
    {
        var oldest = time.GetUtcNow() - MaxAge;
        while (_entries.First is { } first
               && (first.Value.Instance.EndedAt < oldest || _entries.Count > MaxInstances || _bytes > MaxTotalBytes))
            Drop(first);
    }

    private void Remove(Func<LinkedListNode<(CapturedInstance Instance, long Bytes)>, bool> match)
    {
        for (var n = _entries.First; n is not null;)
        {
            var next = n.Next;
            if (match(n)) Drop(n);
            n = next;
        }
    }

    private void Drop(LinkedListNode<(CapturedInstance Instance, long Bytes)> node)
    {
        _bytes -= node.Value.Bytes;
        _entries.Remove(node);
    }
}
