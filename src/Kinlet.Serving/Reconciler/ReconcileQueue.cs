using System.Collections.Concurrent;
using System.Threading.Channels;
using Kinlet.Core.Model;
using Kinlet.Serving.Activator;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

/// <summary>How the service controller tells the reconciler what it wants of a revision.</summary>
public interface IRevisionLifecycle
{
    /// <summary>The revision exists (spec, routed, latest created): the loop runs it accordingly.</summary>
    RevisionState Observe(Revision revision, bool routed, bool latestCreated);

    /// <summary>The revision was deleted from the store: the loop stops everything, then forgets it.</summary>
    void Deleted(RevisionState revision);
}

/// <summary>
/// The reconcile loop's inbox: one reader (the loop), any number of writers. A poke for a revision that
/// is already waiting to be looked at is dropped: the loop always works from the latest state.
/// </summary>
public sealed class ReconcileQueue(RevisionRegistry registry) : IDemandSignal, IRevisionLifecycle
{
    private readonly Channel<ReconcileMessage> _channel = Channel.CreateUnbounded<ReconcileMessage>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly ConcurrentDictionary<RevisionKey, byte> _poked = new();

    public void Post(ReconcileMessage message) => _channel.Writer.TryWrite(message);

    public void Enqueue(RevisionKey key)
    {
        if (_poked.TryAdd(key, 0)) _channel.Writer.TryWrite(new Poke(key));
    }

    public void DemandFor(RevisionState revision)
    {
        // Only a revision with nothing ready needs the loop woken; otherwise the request just waits for a slot.
        if (revision.ReadyCount == 0) Enqueue(revision.Key);
    }

    public RevisionState Observe(Revision revision, bool routed, bool latestCreated)
    {
        var state = registry.GetOrAdd(revision);
        state.UpdateRevision(revision);
        var intent = state.Intent;
        if (intent.Routed != routed || intent.LatestCreated != latestCreated)
            state.SetIntent(intent with { Routed = routed, LatestCreated = latestCreated });
        Enqueue(state.Key);
        return state;
    }

    public void Deleted(RevisionState revision)
    {
        revision.SetIntent(new RevisionIntent(Routed: false, LatestCreated: false, Deleted: true));
        Enqueue(revision.Key);
    }

    public async ValueTask<ReconcileMessage> ReadAsync(CancellationToken cancellationToken)
    {
        var message = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        Taken(message);
        return message;
    }

    public bool TryRead(out ReconcileMessage message)
    {
        if (!_channel.Reader.TryRead(out message!)) return false;
        Taken(message);
        return true;
    }

    private void Taken(ReconcileMessage message)
    {
        if (message is Poke poke) _poked.TryRemove(poke.Revision, out _);
    }
}
