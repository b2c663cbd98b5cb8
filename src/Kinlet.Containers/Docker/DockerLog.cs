using Microsoft.Extensions.Logging;

namespace Kinlet.Containers.Docker;

/// <summary>The Docker adapter's log lines, with stable event ids (600-619).</summary>
internal static partial class DockerLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Pulling image {Image}")]
    public static partial void Pulling(ILogger logger, string image);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Pulled image {Image} in {ElapsedMs:0} ms")]
    public static partial void Pulled(ILogger logger, string image, double elapsedMs);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Image {Image} is not available: {Reason}")]
    public static partial void PullFailed(ILogger logger, string image, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Debug, Message = "Created container {Name} ({ContainerId}) from {Image}")]
    public static partial void Created(ILogger logger, string name, string containerId, string image);

    [LoggerMessage(EventId = 604, Level = LogLevel.Debug, Message = "Started container {ContainerId}, published on 127.0.0.1:{HostPort}")]
    public static partial void Started(ILogger logger, string containerId, int? hostPort);

    [LoggerMessage(EventId = 605, Level = LogLevel.Debug, Message = "Stopped container {ContainerId} (grace {GraceSeconds} s)")]
    public static partial void Stopped(ILogger logger, string containerId, uint graceSeconds);

    [LoggerMessage(EventId = 606, Level = LogLevel.Debug, Message = "Removed container {ContainerId}")]
    public static partial void Removed(ILogger logger, string containerId);

    [LoggerMessage(EventId = 607, Level = LogLevel.Warning, Message = "The container engine did not answer {Operation} within {TimeoutSeconds:0.#} s")]
    public static partial void CallTimedOut(ILogger logger, string operation, double timeoutSeconds);

    [LoggerMessage(EventId = 608, Level = LogLevel.Warning, Message = "The container engine at {Endpoint} is not reachable ({Operation}): {Error}")]
    public static partial void Unreachable(ILogger logger, Uri endpoint, string operation, string error);

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Building image {Image}")]
    public static partial void Building(ILogger logger, string image);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Built image {Image} in {ElapsedMs:0} ms")]
    public static partial void Built(ILogger logger, string image, double elapsedMs);

    [LoggerMessage(EventId = 612, Level = LogLevel.Warning, Message = "Build of {Image} failed at {Step}: {Error}")]
    public static partial void BuildFailed(ILogger logger, string image, string step, string error);

    [LoggerMessage(EventId = 609, Level = LogLevel.Debug, Message = "Engine event stream ended: {Error}")]
    public static partial void EventStreamEnded(ILogger logger, string error);
}
