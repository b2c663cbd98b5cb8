using System.Text.Json;
using System.Threading.Channels;
using CloudNative.CloudEvents;
using Kinlet.Core.Events;
using Kinlet.Core.Model;
using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Ingress;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Sources;

/// <summary>
/// kinletd's own lifecycle as CloudEvents (<c>dev.kinlet.service.ready</c>, <c>dev.kinlet.revision.failed</c>,
/// <c>dev.kinlet.revision.scaled</c>, …) into the broker named by <see cref="EventingOptions.LifecycleBroker"/>, so
/// triggers can react to the platform itself — Knative's ApiServerSource, on one node. Emitting only queues
/// (bounded; drops when full, never blocks a reconciler or a request); a background loop stores them in batches.
/// </summary>
public sealed class LifecycleEvents(
    BrokerController brokers,
    EventPublisher publisher,
    IOptions<EventingOptions> options,
    TimeProvider time,
    ILogger<LifecycleEvents> logger) : BackgroundService, IPlatformEvents
{
    private readonly Channel<PlatformEvent> _queue = Channel.CreateBounded<PlatformEvent>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly (string Namespace, string Name)? _target = Parse(options.Value.LifecycleBroker);

    private static (string, string)? Parse(string? broker)
    {
        if (string.IsNullOrWhiteSpace(broker)) return null;
        var slash = broker.IndexOf('/');
        return slash < 0 ? (KnativeApi.DefaultNamespace, broker.Trim()) : (broker[..slash].Trim(), broker[(slash + 1)..].Trim());
    }

    public void Emit(PlatformEvent e)
    {
        if (_target is not null) _queue.Writer.TryWrite(e);
    }

    /// <summary>The CloudEvent for a platform event: its type, the resource's API path as source, its name as subject.</summary>
    public static CloudEvent ToCloudEvent(PlatformEvent e, DateTimeOffset now) => new(CloudEventsSpecVersion.V1_0)
    {
        Id = Guid.NewGuid().ToString(),
        Type = e.Type,
        Source = new Uri(e.Source, UriKind.Relative),
        Subject = e.Name,
        Time = now,
        DataContentType = "application/json",
        Data = JsonSerializer.SerializeToUtf8Bytes(e.Data),
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_target is not { } target) return;
        var batch = new List<CloudEvent>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < 256 && _queue.Reader.TryRead(out var e)) batch.Add(ToCloudEvent(e, time.GetUtcNow()));
                if (!brokers.Exists(target.Namespace, target.Name))
                {
                    SourcesLog.LifecycleBrokerMissing(logger, target.Namespace, target.Name, batch.Count);
                    continue;
                }
                try
                {
                    await publisher.PublishAsync(target.Namespace, target.Name, batch, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    SourcesLog.LifecycleStoreFailed(logger, ex, target.Namespace, target.Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
