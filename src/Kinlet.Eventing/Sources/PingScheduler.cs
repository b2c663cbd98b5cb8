using System.Security.Cryptography;
using System.Text;
using CloudNative.CloudEvents;
using Kinlet.Core.Model;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Ingress;
using Kinlet.Store;
using Kinlet.Store.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Sources;

/// <summary>
/// Runs every PingSource: one loop per source waits for its next tick, sends <c>dev.knative.sources.ping</c> to the
/// sink (a broker in-process, durably; anything else over HTTP with a few retries), then records the tick. The
/// recorded tick is where a restart resumes, so a restart neither skips the next tick nor fires one twice; a tick
/// missed while the daemon was down is fired once when it comes back. The event id is derived from the source and
/// the tick, so even a tick repeated by a crash between send and record carries the same id (CloudEvents dedup key).
/// </summary>
public sealed class PingScheduler(
    IResourceStore store,
    IDeliveryStore marks,
    SinkResolver sinks,
    EventSender sender,
    EventPublisher publisher,
    EventingChanges changes,
    IOptions<EventingOptions> options,
    TimeProvider time,
    ILogger<PingScheduler> logger) : BackgroundService
{
    public const string EventType = "dev.knative.sources.ping";
    private readonly Dictionary<string, (long Version, CancellationTokenSource Stop, Task Loop)> _running = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = changes.Next;
                try
                {
                    await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    SourcesLog.ReconcileFailed(logger, e, e.Message);
                }
                await AsyncSignal.WaitAsync(changed, TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var (_, r) in _running) await r.Stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_running.Values.Select(r => r.Loop)).ConfigureAwait(false);
        }
    }

    private static string MarkKey(string ns, string name, string uid) => $"ping/{ns}/{name}/{uid}";

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in store.List<PingSource>(Kinds.PingSource, null))
        {
            var ns = source.Metadata.Namespace ?? KnativeApi.DefaultNamespace;
            var key = MarkKey(ns, source.Metadata.Name!, source.Metadata.Uid!);
            seen.Add(key);
            var version = source.Metadata.Generation ?? 0;
            if (_running.TryGetValue(key, out var r))
            {
                if (r.Version == version) continue;
                await r.Stop.CancelAsync().ConfigureAwait(false);
                await r.Loop.ConfigureAwait(false);
            }
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _running[key] = (version, stop, Task.Run(() => RunAsync(ns, source, key, stop.Token), CancellationToken.None));
        }
        foreach (var key in _running.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            var r = _running[key];
            _running.Remove(key);
            await r.Stop.CancelAsync().ConfigureAwait(false);
            await r.Loop.ConfigureAwait(false);
            await marks.DeleteMarkAsync(key, ct).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(string ns, PingSource source, string key, CancellationToken ct)
    {
        var name = source.Metadata.Name!;
        try
        {
            var schedule = PingSchedule.Parse(source.Spec.Schedule, source.Spec.Timezone);
            var last = marks.LoadMark(key) ?? source.Metadata.CreationTimestamp ?? time.GetUtcNow();
            while (!ct.IsCancellationRequested)
            {
                if (schedule.Due(last, time.GetUtcNow()) is not { } tick) return;
                var wait = tick - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, ct).ConfigureAwait(false);
                await FireAsync(ns, source, tick, ct).ConfigureAwait(false);
                await marks.SaveMarkAsync(key, tick, ct).ConfigureAwait(false);
                last = tick;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            SourcesLog.Stopped(logger, e, ns, name, e.Message);
        }
    }

    /// <summary>The tick's event; its id is a UUID derived from the source's uid and the tick.</summary>
    public static CloudEvent Event(string ns, PingSource source, DateTimeOffset tick)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{source.Metadata.Uid}/{tick.UtcTicks}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5-style UUID from a name hash
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var e = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString(),
            Type = EventType,
            Source = new Uri($"/apis/v1/namespaces/{ns}/pingsources/{source.Metadata.Name}", UriKind.Relative),
            Time = tick,
        };
        var spec = source.Spec;
        if (spec.DataBase64 is { } b64)
        {
            e.Data = Convert.FromBase64String(b64);
            e.DataContentType = spec.ContentType ?? "application/octet-stream";
        }
        else if (spec.Data is { } data)
        {
            e.Data = Encoding.UTF8.GetBytes(data);
            e.DataContentType = spec.ContentType ?? "application/json";
        }
        return e;
    }

    private async Task FireAsync(string ns, PingSource source, DateTimeOffset tick, CancellationToken ct)
    {
        var e = Event(ns, source, tick);
        var sink = source.Spec.Sink;
        if (sink?.Ref is { Kind: "Broker" } broker && string.IsNullOrEmpty(sink.Uri))
        {
            // In-process and durable: stored before the tick is recorded.
            await publisher.PublishAsync(broker.Namespace ?? ns, broker.Name!, [e], ct).ConfigureAwait(false);
            SourcesLog.SentToBroker(logger, ns, source.Metadata.Name, tick, broker.Name);
            return;
        }
        if (sinks.Target(sink, ns) is not { } target)
        {
            SourcesLog.SinkUnresolved(logger, ns, source.Metadata.Name, tick);
            return;
        }
        var result = await sender.SendWithRetriesAsync(target, EventPublisher.AttributeStrings(e), e.Data as byte[], ns,
            options.Value.DeliveryTimeout, null, 3, TimeSpan.FromMilliseconds(500), time, ct).ConfigureAwait(false);
        if (result.Success) SourcesLog.Sent(logger, ns, source.Metadata.Name, tick, target.Uri);
        else SourcesLog.SendFailed(logger, ns, source.Metadata.Name, tick, target.Uri, result.Describe());
    }
}
