using Kinlet.Serving.Protocols;

namespace Kinlet.Serving.Tests.Protocols;

public sealed class WebSocketFrameTrackerTests
{
    private static byte[] Frame(int payload, bool masked = false, byte opcode = 0x1)
    {
        var header = new List<byte> { (byte)(0x80 | opcode) };
        var mask = masked ? 0x80 : 0;
        if (payload < 126) header.Add((byte)(mask | payload));
        else if (payload <= ushort.MaxValue) header.AddRange([(byte)(mask | 126), (byte)(payload >> 8), (byte)payload]);
        else
        {
            header.Add((byte)(mask | 127));
            for (var shift = 56; shift >= 0; shift -= 8) header.Add((byte)((long)payload >> shift));
        }
        if (masked) header.AddRange([1, 2, 3, 4]);
        return [.. header, .. new byte[payload]];
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(5, false)]
    [InlineData(125, true)]
    [InlineData(126, false)]
    [InlineData(70_000, true)]
    public void Finds_the_end_of_a_frame_of_any_length(int payload, bool masked)
    {
        var tracker = new WebSocketFrameTracker();
        var frame = Frame(payload, masked);
        Assert.Equal(frame.Length, tracker.Advance(frame, stopAtBoundary: true));
        Assert.True(tracker.AtBoundary);
    }

    [Fact]
    public void Follows_frames_split_across_writes_at_any_byte()
    {
        byte[] stream = [.. Frame(3), .. Frame(300), .. Frame(0, opcode: 0x9), .. Frame(70_000)];
        for (var split = 1; split < 20; split++)
        {
            var tracker = new WebSocketFrameTracker();
            var boundaries = 0;
            for (var i = 0; i < stream.Length; i += split)
            {
                var piece = stream.AsSpan(i, Math.Min(split, stream.Length - i));
                while (piece.Length > 0)
                {
                    var taken = tracker.Advance(piece, stopAtBoundary: true);
                    if (tracker.AtBoundary) boundaries++;
                    piece = piece[taken..];
                }
            }
            Assert.Equal(4, boundaries);
            Assert.True(tracker.AtBoundary);
        }
    }

    [Fact]
    public void Stops_right_after_the_first_frame_that_ends_when_asked()
    {
        var tracker = new WebSocketFrameTracker();
        byte[] two = [.. Frame(4), .. Frame(4)];
        Assert.Equal(6, tracker.Advance(two, stopAtBoundary: true));
        Assert.Equal(6, tracker.Advance(two.AsSpan(6)));
        Assert.True(tracker.AtBoundary);
        Assert.Equal(3, tracker.Advance(Frame(4).AsSpan(0, 3)));
        Assert.False(tracker.AtBoundary);
    }

    [Fact]
    public void The_close_frame_carries_the_code_and_reason()
    {
        var frame = WebSocketFrameTracker.CloseFrame(1001, "revision retired");
        Assert.Equal(0x88, frame[0]);
        Assert.Equal(2 + 16, frame[1]);
        Assert.Equal(1001, (frame[2] << 8) | frame[3]);
        Assert.Equal("revision retired", System.Text.Encoding.UTF8.GetString(frame, 4, 16));
        Assert.Equal(4 + 123, WebSocketFrameTracker.CloseFrame(1001, new string('x', 200)).Length);
    }
}
