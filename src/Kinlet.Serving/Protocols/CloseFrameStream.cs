namespace Kinlet.Serving.Protocols;

/// <summary>
/// The client side of an upgraded WebSocket, as the forwarder copies into it: bytes pass as they are, and
/// <see cref="CloseAsync"/> puts a close frame between two of the server's frames (at once when none is half
/// written, else right after the current one ends). After the close frame the server's further bytes are
/// dropped: the client was told the endpoint is going away. Reads (client to server) pass untouched.
/// </summary>
public sealed class CloseFrameStream(Stream inner) : Stream
{
    private readonly WebSocketFrameTracker _tracker = new();
    // One writer at a time: the forwarder's copy loop, or the drain with its close frame.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private byte[]? _pendingClose;
    private bool _closeSent;

    /// <summary>True once the close frame went out.</summary>
    public bool CloseSent => Volatile.Read(ref _closeSent);

    public async Task CloseAsync(ushort status, string reason, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent || _pendingClose is not null) return;
            var frame = WebSocketFrameTracker.CloseFrame(status, reason);
            if (_tracker.AtBoundary) await SendCloseAsync(frame, cancellationToken).ConfigureAwait(false);
            else _pendingClose = frame;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent) return;
            if (_pendingClose is null)
            {
                _tracker.Advance(buffer.Span);
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }
            // A close is waiting for the current frame to end: send up to its end, then the close frame.
            var upTo = _tracker.Advance(buffer.Span, stopAtBoundary: true);
            if (upTo > 0) await inner.WriteAsync(buffer[..upTo], cancellationToken).ConfigureAwait(false);
            if (_tracker.AtBoundary) await SendCloseAsync(_pendingClose, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task SendCloseAsync(byte[] frame, CancellationToken cancellationToken)
    {
        _pendingClose = null;
        Volatile.Write(ref _closeSent, true);
        await inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => throw new NotSupportedException("synchronous I/O");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
