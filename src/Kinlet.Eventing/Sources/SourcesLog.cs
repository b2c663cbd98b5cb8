using Microsoft.Extensions.Logging;

namespace Kinlet.Eventing.Sources;

/// <summary>The event sources' log lines: PingSource ticks and the lifecycle broker (event ids 720–739).</summary>
internal static partial class SourcesLog
{
    [LoggerMessage(EventId = 720, Level = LogLevel.Error, Message = "PingSource reconcile failed: {Error}")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string error);

    [LoggerMessage(EventId = 721, Level = LogLevel.Error, Message = "PingSource {Namespace}/{Name} stopped: {Error}")]
    public static partial void Stopped(ILogger logger, Exception exception, string @namespace, string name, string error);

    [LoggerMessage(EventId = 722, Level = LogLevel.Information, Message = "PingSource {Namespace}/{Name}: tick {Tick:o} sent to broker {Broker}")]
    public static partial void SentToBroker(ILogger logger, string @namespace, string? name, DateTimeOffset tick, string? broker);

    [LoggerMessage(EventId = 723, Level = LogLevel.Warning, Message = "PingSource {Namespace}/{Name}: its sink cannot be resolved; tick {Tick:o} dropped")]
    public static partial void SinkUnresolved(ILogger logger, string @namespace, string? name, DateTimeOffset tick);

    [LoggerMessage(EventId = 724, Level = LogLevel.Information, Message = "PingSource {Namespace}/{Name}: tick {Tick:o} sent to {Sink}")]
    public static partial void Sent(ILogger logger, string @namespace, string? name, DateTimeOffset tick, string sink);

    [LoggerMessage(EventId = 725, Level = LogLevel.Warning, Message = "PingSource {Namespace}/{Name}: tick {Tick:o} to {Sink} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string @namespace, string? name, DateTimeOffset tick, string sink, string error);

    [LoggerMessage(EventId = 730, Level = LogLevel.Debug, Message = "Lifecycle broker {Namespace}/{Broker} does not exist: {Count} events not kept")]
    public static partial void LifecycleBrokerMissing(ILogger logger, string @namespace, string broker, int count);

    [LoggerMessage(EventId = 731, Level = LogLevel.Warning, Message = "Lifecycle events could not be stored in {Namespace}/{Broker}: {Error}")]
    public static partial void LifecycleStoreFailed(ILogger logger, Exception exception, string @namespace, string broker, string error);
}
