using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Activator;

/// <summary>Wakes the control loop for a revision that has requests but no capacity (Knative: the activator pokes the autoscaler).</summary>
public interface IDemandSignal
{
    void DemandFor(RevisionState revision);
}

/// <summary>
/// Holds a request until its revision has an instance with a free slot: the request joins the
/// revision's FIFO <see cref="RequestQueue"/> and is handed a slot the moment one frees or an
/// instance passes readiness. Waiting counts against the request's deadline (the caller's token);
/// a full queue and a revision that cannot start answer at once instead of letting requests hang.
/// </summary>
public sealed class RevisionActivator(IDemandSignal demand, IOptions<ServingOptions> options)
{
    private readonly int _depth = Math.Max(1, options.Value.ActivatorQueueDepth);

    /// <summary>The instance whose slot the caller now holds (release it when done).</summary>
    /// <exception cref="RevisionUnavailableException">deleted, or it cannot start</exception>
    /// <exception cref="ActivatorQueueFullException">too many requests wait already</exception>
    /// <exception cref="OperationCanceledException">the deadline passed or the client left</exception>
    public ValueTask<InstanceState> AcquireAsync(RevisionState revision, CancellationToken cancellationToken) =>
        AcquireAsync(revision, cancellationToken, CancellationToken.None);

    /// <summary>
    /// As <see cref="AcquireAsync(RevisionState, CancellationToken)"/>, waiting until either token fires (the client
    /// leaving, the request's deadline): the waiter registers on both, so no linked source is made per request.
    /// </summary>
    public async ValueTask<InstanceState> AcquireAsync(RevisionState revision, CancellationToken requestAborted, CancellationToken deadline)
    {
        if (revision.IsDeleted)
            throw new RevisionUnavailableException(revision.Key, "RevisionDeleted", "the revision was deleted");
        if (revision.Failure is { } failure && revision.ReadyCount == 0)
        {
            // Still tell the loop: the demand is what makes it try again once the backoff ends.
            demand.DemandFor(revision);
            throw new RevisionUnavailableException(revision.Key, failure.Reason, failure.Message);
        }

        var waiter = revision.Queue.TryEnqueue(_depth) ?? throw new ActivatorQueueFullException(revision.Key, _depth);
        // A slot may have freed between the caller's fast-path try and joining the queue.
        revision.Queue.Dispatch();
        if (waiter.Task.IsCompleted) return await waiter.Task.ConfigureAwait(false);

        demand.DemandFor(revision);
        using (waiter.CancelOn(requestAborted))
        using (waiter.CancelOn(deadline))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }
}
