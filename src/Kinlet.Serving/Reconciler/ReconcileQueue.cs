using System.Collections.Concurrent;
using System.Threading.Channels;
using Kinlet.Serving.Activator;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// Revisions that need a look from the reconciler. A revision queued twice before it is taken is
/// reconciled once: the reconciler always works from the latest state, so the extra pass adds nothing.
/// </summary>
public sealed class ReconcileQueue : IDemandSignal
{
    private readonly Channel<RevisionKey> _channel = Channel.CreateUnbounded<RevisionKey>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<RevisionKey, byte> _pending = new();

    public void Enqueue(RevisionKey key)
    {
        if (_pending.TryAdd(key, 0)) _channel.Writer.TryWrite(key);
    }

    public void DemandFor(RevisionState revision)
    {
        // Only a revision with nothing ready needs the loop woken; otherwise the request just waits for a slot.
        if (revision.ReadyCount == 0) Enqueue(revision.Key);
    }

    public async ValueTask<RevisionKey> DequeueAsync(CancellationToken cancellationToken)
    {
        var key = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        _pending.TryRemove(key, out _);
        return key;
    }
}
