using System.Buffers.Binary;

namespace Kinlet.Serving.Protocols;

/// <summary>
/// Follows the frame boundaries of one direction of a WebSocket (RFC 6455 §5.2) as its bytes pass, without
/// buffering them: only the current frame's header (at most 14 bytes) and what is left of its payload. kinletd
/// needs it to put a close frame between two frames of a stream it otherwise copies blindly.
/// </summary>
public sealed class WebSocketFrameTracker
{
    private readonly byte[] _header = new byte[14];
    private int _headerRead;
    private ulong _payloadLeft;

    /// <summary>No frame is half-way through: a new frame may start here.</summary>
    public bool AtBoundary => _headerRead == 0 && _payloadLeft == 0;

    /// <summary>
    /// Takes <paramref name="data"/> in; with <paramref name="stopAtBoundary"/> it stops right after the first frame
    /// that ends inside it. Returns how many bytes it took.
    /// </summary>
    public int Advance(ReadOnlySpan<byte> data, bool stopAtBoundary = false)
    {
        var i = 0;
        while (i < data.Length)
        {
            if (_payloadLeft > 0)
            {
                var take = (int)Math.Min(_payloadLeft, (ulong)(data.Length - i));
                _payloadLeft -= (ulong)take;
                i += take;
                if (_payloadLeft == 0 && stopAtBoundary) return i;
                continue;
            }
            _header[_headerRead++] = data[i++];
            if (_headerRead < 2 || _headerRead < HeaderLength()) continue;
            _payloadLeft = PayloadLength();
            _headerRead = 0;
            if (_payloadLeft == 0 && stopAtBoundary) return i;
        }
        return i;
    }

    private int HeaderLength()
    {
        var length7 = _header[1] & 0x7F;
        var masked = (_header[1] & 0x80) != 0;
        return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    }

    private ulong PayloadLength() => (_header[1] & 0x7F) switch
    {
        126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
        127 => BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)) & long.MaxValue,
        var n => (ulong)n,
    };

    /// <summary>An unmasked (server to client) close frame: the status code and a reason of at most 123 UTF-8 bytes.</summary>
    public static byte[] CloseFrame(ushort status, string reason)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(reason);
        if (text.Length > 123) text = text[..123];
        var frame = new byte[4 + text.Length];
        frame[0] = 0x88; // FIN + opcode 8 (close)
        frame[1] = (byte)(2 + text.Length);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), status);
        text.CopyTo(frame, 4);
        return frame;
    }
}
