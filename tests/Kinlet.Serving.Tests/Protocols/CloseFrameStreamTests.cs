using Kinlet.Serving.Protocols;

namespace Kinlet.Serving.Tests.Protocols;

public sealed class CloseFrameStreamTests
{
    private static readonly byte[] Close = WebSocketFrameTracker.CloseFrame(1001, "revision retired");

    private static byte[] Text(string text)
    {
        var payload = System.Text.Encoding.UTF8.GetBytes(text);
        return [0x81, (byte)payload.Length, .. payload];
    }

    [Fact]
    public async Task Between_frames_the_close_frame_goes_out_at_once_and_later_bytes_are_dropped()
    {
        var sent = new MemoryStream();
        var stream = new CloseFrameStream(sent);
        await stream.WriteAsync(Text("a"));
        await stream.CloseAsync(1001, "revision retired", CancellationToken.None);
        Assert.True(stream.CloseSent);
        await stream.WriteAsync(Text("b"));
        Assert.Equal([.. Text("a"), .. Close], sent.ToArray());
    }

    [Fact]
    public async Task Inside_a_frame_the_close_waits_for_its_end_and_never_splits_it()
    {
        var sent = new MemoryStream();
        var stream = new CloseFrameStream(sent);
        var frame = Text("hello");
        await stream.WriteAsync(frame.AsMemory(0, 3));
        await stream.CloseAsync(1001, "revision retired", CancellationToken.None);
        Assert.False(stream.CloseSent);
        // The rest of the frame and the start of the next arrive in one write: only the rest passes, then the close.
        await stream.WriteAsync((byte[])[.. frame.AsSpan(3), .. Text("next")]);
        Assert.True(stream.CloseSent);
        Assert.Equal([.. frame, .. Close], sent.ToArray());
    }

    [Fact]
    public async Task Reads_pass_untouched()
    {
        var stream = new CloseFrameStream(new MemoryStream([1, 2, 3]));
        var buffer = new byte[8];
        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal([1, 2, 3], buffer[..3]);
    }
}
