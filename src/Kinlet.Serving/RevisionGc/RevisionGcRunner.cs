using Kinlet.Core.Validation;
using System.Globalization;
using Kinlet.Core.Model;
using Kinlet.Serving.Controllers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.RevisionGc;

/// <summary>Every <see cref="RevisionGcOptions.Interval"/>, deletes the revisions <see cref="RevisionGcPolicy"/> selects, service by service.</summary>
public sealed partial class RevisionGcRunner(
    ServiceController controller,
    IOptions<RevisionGcOptions> options,
    TimeProvider time,
    ILogger<RevisionGcRunner> logger)
{
    private static readonly TimeSpan DeleteBound = TimeSpan.FromMinutes(2);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.Interval > TimeSpan.Zero ? options.Value.Interval : TimeSpan.FromMinutes(5);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await CollectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over every service; returns how many revisions it deleted.</summary>
    public async Task<int> CollectAsync(CancellationToken cancellationToken)
    {
        var deleted = 0;
        var now = time.GetUtcNow();
        foreach (var service in controller.List(null))
        {
            var ns = service.Metadata.Namespace ?? KnativeApi.DefaultNamespace;
            var name = service.Metadata.Name!;
            var candidates = controller.ListRevisions(ns, name).Select(r => Candidate(r, service, now));
            foreach (var revision in RevisionGcPolicy.Select(candidates, now, options.Value))
            {
                try
                {
                    await controller.DeleteRevisionAsync(ns, revision, DeleteBound, cancellationToken).ConfigureAwait(false);
                    LogCollected(ns, revision);
                    deleted++;
                }
                catch (Exception e) when (e is ResourceConflictException or ResourceNotFoundException)
                {
                    // Routed again or deleted meanwhile: the next pass decides again.
                }
            }
        }
        return deleted;
    }

    private static GcCandidate Candidate(Revision revision, Service service, DateTimeOffset now)
    {
        var meta = revision.Metadata;
        var routed = meta.Label(KnownKeys.RoutingStateLabel) == KnownKeys.RoutingStateActive;
        DateTimeOffset? lastActive = routed ? now : null;
        if (!routed && meta.Annotations?.GetValueOrDefault(KnownKeys.RoutingStateModifiedAnnotation) is { } modified
            && DateTimeOffset.TryParse(modified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            lastActive = at;
        var status = service.Status;
        return new GcCandidate(
            meta.Name!,
            meta.CreationTimestamp ?? now,
            lastActive,
            routed,
            meta.Name == status?.LatestCreatedRevisionName || meta.Name == status?.LatestReadyRevisionName,
            meta.Annotations?.GetValueOrDefault(KnownKeys.NoGcAnnotation) == "true");
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Revision GC deleted {Namespace}/{Revision}")]
    private partial void LogCollected(string @namespace, string revision);
}
