using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Activator;

/// <summary>Wakes the control loop for a revision that has requests but no capacity (Knative: the activator pokes the autoscaler).</summary>
public interface IDemandSignal
{
    void DemandFor(RevisionState revision);
}

/// <summary>
/// Holds a request until its revision has an instance with a free slot. Waiting counts against
/// the request's deadline (the caller's token); a revision that cannot start fails its waiters at
/// once with the reason instead of letting them hang.
/// </summary>
public sealed class RevisionActivator(IDemandSignal demand)
{
    public async ValueTask<InstanceState> AcquireAsync(RevisionState revision, CancellationToken cancellationToken)
    {
        revision.EnterWaiting();
        try
        {
            demand.DemandFor(revision);
            while (true)
            {
                // Read the signal before checking, so a change between the check and the wait is not missed.
                var changed = revision.Changed;
                var instance = revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency);
                if (instance is not null) return instance;
                if (revision.IsDeleted)
                    throw new RevisionUnavailableException(revision, "RevisionDeleted", "the revision was deleted");
                if (revision.Failure is { } failure && revision.ReadyCount == 0)
                    throw new RevisionUnavailableException(revision, failure.Reason, failure.Message);
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            revision.LeaveWaiting();
        }
    }
}

public sealed class RevisionUnavailableException(RevisionState revision, string reason, string message)
    : Exception($"revision {revision.Key} is not available: {reason}: {message}")
{
    public RevisionState Revision { get; } = revision;
    public string Reason { get; } = reason;
    public string Detail { get; } = message;
}
