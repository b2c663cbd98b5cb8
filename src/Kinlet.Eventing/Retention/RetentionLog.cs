using Microsoft.Extensions.Logging;

namespace Kinlet.Eventing.Retention;

/// <summary>Broker log retention's log lines (event ids 740–749).</summary>
internal static partial class RetentionLog
{
    [LoggerMessage(EventId = 740, Level = LogLevel.Error, Message = "Broker log retention failed: {Error}")]
    public static partial void Failed(ILogger logger, Exception exception, string error);

    [LoggerMessage(EventId = 741, Level = LogLevel.Information, Message = "Broker {Namespace}/{Broker}: pruned {Count} delivered events")]
    public static partial void Pruned(ILogger logger, string @namespace, string broker, int count);

    [LoggerMessage(EventId = 742, Level = LogLevel.Warning, Message = "Broker {Namespace}/{Broker}: its log is {Over} events over the cap of {Max}, all undelivered; they are kept until their triggers finish with them")]
    public static partial void OverCap(ILogger logger, string @namespace, string broker, long over, long max);
}
