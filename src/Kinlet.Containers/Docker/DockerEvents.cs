using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Kinlet.Containers.Docker;

/// <summary>The engine's container events for a label selector, as an ordered async stream.</summary>
internal sealed class DockerEvents(DockerEngine engine)
{
    // Attributes the engine adds to a container event next to the container's own labels.
    private static readonly HashSet<string> EngineAttributes = new(StringComparer.Ordinal) { "image", "name", "exitCode", "signal", "execDuration" };

    public async IAsyncEnumerable<ContainerEvent> WatchAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new ContainerEventsParameters
        {
            // From the moment of the call, not of the connection: a container started right after WatchAsync
            // was called must not slip through while the stream connects.
            Since = UnixTime(engine.Time.GetUtcNow()),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["label"] = DockerContainers.LabelFilter(labels),
            },
        };
        var channel = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = PumpAsync(parameters, channel.Writer, stop.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    // Throws the pump's exception once the stream has ended and everything before it was read.
                    more = await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    more = false;
                }
                if (!more) break;
                while (channel.Reader.TryRead(out var message))
                {
                    if (ToEvent(message) is { } e) yield return e;
                }
            }
        }
        finally
        {
            // Also when the caller stops enumerating early: close the stream, and let the pump finish.
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }

    /// <summary>Reads the engine's stream into the channel; completes the channel with the reason it ended. Never throws.</summary>
    private async Task PumpAsync(ContainerEventsParameters parameters, ChannelWriter<Message> writer, CancellationToken stop)
    {
        Exception? error = null;
        try
        {
            await engine.Client.System.MonitorEventsAsync(parameters, new ChannelWriterProgress<Message>(writer), stop).ConfigureAwait(false);
            // Docker.DotNet returns normally when the connection closes: for a watch that is a lost stream.
            if (!stop.IsCancellationRequested) error = new EngineUnavailableException("the container engine closed its event stream");
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            error = e is DockerApiException api
                ? new ContainerEngineException("events", DockerEngine.EngineMessage(api), (int)api.StatusCode, e)
                : new EngineUnavailableException($"lost the container engine's event stream at {engine.Endpoint}: {e.Message}", e);
        }
        catch (Exception)
        {
            // Stopped: whatever the closing stream threw is the echo of the cancellation.
        }
        if (error is not null) DockerLog.EventStreamEnded(engine.Logger, error.Message);
        writer.TryComplete(error);
    }

    private static ContainerEvent? ToEvent(Message m)
    {
        var id = m.Actor?.ID ?? m.ID;
        var action = m.Action ?? m.Status;
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(action)) return null;
        var attributes = m.Actor?.Attributes;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        int? exitCode = null;
        if (attributes is not null)
        {
            foreach (var (key, value) in attributes)
            {
                if (!EngineAttributes.Contains(key)) labels[key] = value;
            }
            if (attributes.TryGetValue("exitCode", out var code) && int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var c))
                exitCode = c;
        }
        var time = m.TimeNano > 0 ? DateTimeOffset.UnixEpoch.AddTicks(m.TimeNano / 100) : DateTimeOffset.FromUnixTimeSeconds(m.Time);
        return new ContainerEvent(id, action, labels, exitCode, time);
    }

    // The engine takes "seconds.nanoseconds" since the epoch.
    private static string UnixTime(DateTimeOffset t)
    {
        var ticks = (t - DateTimeOffset.UnixEpoch).Ticks;
        return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}");
    }
}
