using Microsoft.Extensions.Logging;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>The dispatcher's log lines (event ids 700–719).</summary>
internal static partial class DispatcherLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Error, Message = "Trigger {Namespace}/{Trigger}: dispatcher stopped: {Error}")]
    public static partial void DispatcherStopped(ILogger logger, Exception exception, string @namespace, string trigger, string error);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "Trigger {Namespace}/{Trigger}: event {Sequence} could not be handled: {Error}")]
    public static partial void EventNotHandled(ILogger logger, Exception exception, string @namespace, string trigger, long sequence, string error);

    [LoggerMessage(EventId = 702, Level = LogLevel.Error, Message = "Trigger {Namespace}/{Trigger}: retry of event {Sequence} could not be handled: {Error}")]
    public static partial void RetryNotHandled(ILogger logger, Exception exception, string @namespace, string trigger, long sequence, string error);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Trigger {Namespace}/{Trigger}: reply {Id} dropped, its knativebrokerttl reached 0 (an event loop ends here)")]
    public static partial void ReplyDropped(ILogger logger, string @namespace, string trigger, string? id);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "Trigger {Namespace}/{Trigger}: event {Id} dead-lettered to {Sink}: {Error}")]
    public static partial void DeadLettered(ILogger logger, string @namespace, string trigger, string? id, string sink, string error);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "Trigger {Namespace}/{Trigger}: event {Id} failed: {Error}")]
    public static partial void Failed(ILogger logger, string @namespace, string trigger, string? id, string error);

    [LoggerMessage(EventId = 706, Level = LogLevel.Error, Message = "Trigger reconcile failed: {Error}")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string error);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "Trigger {Namespace}/{Trigger} cannot be dispatched: {Error}")]
    public static partial void CannotDispatch(ILogger logger, string @namespace, string? trigger, string error);
}
