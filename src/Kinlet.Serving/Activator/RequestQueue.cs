using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Activator;

/// <summary>
/// The activator's per-revision queue: requests that found no instance with a free slot wait here in
/// arrival order and are handed an instance (its slot already taken) the moment one frees up or becomes
/// ready. Bounded, so a revision that cannot keep up answers 503 instead of piling up memory.
/// Waiters are completed only under <see cref="_gate"/>, so a waiter is either still queued or already
/// holds its slot — never both; the lock covers list and Interlocked operations, never an await.
/// </summary>
public sealed class RequestQueue(RevisionState owner)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _count;

    /// <summary>Requests waiting now. Read without the lock by the fast path (FIFO: no overtaking while &gt; 0).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Queues a request; null when <paramref name="capacity"/> requests already wait.</summary>
    public Waiter? TryEnqueue(int capacity)
    {
        var waiter = new Waiter(this);
        lock (_gate)
        {
            if (_waiters.Count >= capacity) return null;
            waiter.Node = _waiters.AddLast(waiter);
            Volatile.Write(ref _count, _waiters.Count);
        }
        return waiter;
    }

    /// <summary>Gives free slots to waiters, oldest first. Called when an instance becomes ready or a slot frees.</summary>
    public void Dispatch()
    {
        if (Count == 0) return;
        lock (_gate)
        {
            while (_waiters.First is { } node)
            {
                var instance = owner.Policy.Acquire(owner.Ready, owner.ContainerConcurrency);
                if (instance is null) break;
                Remove(node.Value);
                node.Value.TrySetResult(instance);
            }
        }
    }

    /// <summary>Answers every waiter with <paramref name="error"/> (the revision cannot start or was deleted).</summary>
    public void FailAll(Exception error)
    {
        if (Count == 0) return;
        lock (_gate)
        {
            while (_waiters.First is { } node)
            {
                Remove(node.Value);
                node.Value.TrySetException(error);
            }
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (waiter.Node is null) return; // already given a slot: the caller releases it
            Remove(waiter);
            waiter.TrySetCanceled(token);
        }
    }

    private void Remove(Waiter waiter)
    {
        _waiters.Remove(waiter.Node!);
        waiter.Node = null;
        Volatile.Write(ref _count, _waiters.Count);
    }

    /// <summary>One queued request. Its task completes with an instance whose slot it now owns.</summary>
    public sealed class Waiter(RequestQueue queue) : TaskCompletionSource<InstanceState>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        internal LinkedListNode<Waiter>? Node;

        /// <summary>Leaves the queue when <paramref name="token"/> fires (deadline or client gone).</summary>
        public CancellationTokenRegistration CancelOn(CancellationToken token) =>
            token.UnsafeRegister(static (state, t) => { var w = (Waiter)state!; w.Queue.Cancel(w, t); }, this);

        private RequestQueue Queue => queue;
    }
}
