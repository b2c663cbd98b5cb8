using Kinlet.Serving.Forwarding;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Protocols;

/// <summary>
/// One upgraded request (a WebSocket) on one instance, from the upgrade to its end. While its revision is routed
/// and its instance runs, nothing bounds it but idleTimeoutSeconds. Once the revision is retired or the instance
/// begins to stop, it has <see cref="ServingOptions.UpgradeDrainPeriod"/> left; then a WebSocket gets a close frame
/// (1001 going away) and <see cref="CloseGrace"/> for the client to answer before the connection is cut, and any
/// other upgraded protocol is cut at once.
/// </summary>
public sealed class UpgradedConnection : IDisposable
{
    /// <summary>After the close frame: time for the client's own close frame to pass before the forwarder ends the copy.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private const ushort GoingAway = 1001;
    private const string CloseReason = "revision retired";

    private readonly Lock _gate = new();
    private readonly RevisionState _revision;
    private readonly RequestDeadline _deadline;
    private readonly TimeSpan _drainPeriod;
    private readonly TimeProvider _time;
    private readonly CancellationTokenRegistration _stopping;
    private CloseFrameStream? _stream;
    private ITimer? _timer;
    private bool _upgraded;
    private bool _retired;
    private bool _instanceStopping;
    private bool _draining;
    private bool _ended;

    internal UpgradedConnection(RevisionState revision, InstanceState instance, RequestDeadline deadline, bool webSocket,
        TimeSpan drainPeriod, TimeProvider time)
    {
        _revision = revision;
        _deadline = deadline;
        IsWebSocket = webSocket;
        _drainPeriod = drainPeriod;
        _time = time;
        _retired = revision.Upgrades.Add(this);
        _stopping = instance.Stopping.Register(static state => ((UpgradedConnection)state!).InstanceStopping(), this);
    }

    public bool IsWebSocket { get; }

    /// <summary>The drain began (the close frame is on its way or out).</summary>
    public bool Draining
    {
        get
        {
            lock (_gate) return _draining;
        }
    }

    /// <summary>The instance accepted the upgrade: the request's timeouts stop here, the drain rules start.</summary>
    internal Stream Upgraded(Stream client)
    {
        _deadline.StopTimers();
        Stream result = client;
        lock (_gate)
        {
            if (IsWebSocket) result = _stream = new CloseFrameStream(client);
            _upgraded = true;
        }
        Evaluate();
        return result;
    }

    internal void RevisionRetired(bool retired)
    {
        lock (_gate) _retired = retired;
        Evaluate();
    }

    private void InstanceStopping()
    {
        lock (_gate) _instanceStopping = true;
        Evaluate();
    }

    private void Evaluate()
    {
        lock (_gate)
        {
            if (_ended || !_upgraded || _draining) return;
            var due = _retired || _instanceStopping;
            if (due && _timer is null)
            {
                _timer = _time.CreateTimer(static state => ((UpgradedConnection)state!).StartDrain(), this, _drainPeriod, Timeout.InfiniteTimeSpan);
            }
            else if (!due && _timer is not null)
            {
                // Routed again before the period ran out: the socket stays.
                _timer.Dispose();
                _timer = null;
            }
        }
    }

    private void StartDrain()
    {
        CloseFrameStream? stream;
        lock (_gate)
        {
            if (_ended || _draining) return;
            _draining = true;
            stream = _stream;
            if (stream is null)
            {
                // Not a WebSocket: no frame to say goodbye with, the connection is cut.
                _deadline.CancelAfter(TimeSpan.FromMilliseconds(1));
                return;
            }
        }
        _ = CloseAsync(stream);
    }

    // Started from the drain timer's callback; it never throws, and it touches the request's deadline only while
    // the request is still on (under the lock, so a finished request's pooled deadline is never cancelled).
    private async Task CloseAsync(CloseFrameStream stream)
    {
        try
        {
            using var bound = new CancellationTokenSource(CloseGrace);
            await stream.CloseAsync(GoingAway, CloseReason, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client or the instance went away first: the forwarder ends the copy on its own.
        }
        lock (_gate)
        {
            if (!_ended) _deadline.CancelAfter(CloseGrace);
        }
    }

    /// <summary>The request is over: no timer or drain touches it after this.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _ended = true;
            _timer?.Dispose();
            _timer = null;
        }
        _stopping.Dispose();
        _revision.Upgrades.Remove(this);
    }
}
