using System.Threading.Channels;

namespace Kinlet.Containers.Docker;

/// <summary>
/// Writes each report straight into a channel, on the reporting thread. <c>Progress&lt;T&gt;</c> would post each
/// report to the thread pool, where two of them can run in either order: an event stream must not be reordered.
/// </summary>
internal sealed class ChannelWriterProgress<T>(ChannelWriter<T> writer) : IProgress<T>
{
    // The channel is unbounded, so TryWrite fails only once the channel is completed: the reader is gone.
    public void Report(T value) => writer.TryWrite(value);
}
