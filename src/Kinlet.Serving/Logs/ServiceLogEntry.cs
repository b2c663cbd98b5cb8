using Kinlet.Containers;

namespace Kinlet.Serving.Logs;

/// <summary>Who wrote a line of <c>kinlet logs</c>: an instance's container, or kinletd about the service.</summary>
public enum LogSource { Instance, Kinletd }

/// <summary>
/// One line of a service's logs. Instance lines carry the instance, its revision and the stream; kinletd's lines
/// carry the revision (and instance) they are about, when they are about one.
/// </summary>
public sealed record ServiceLogEntry(DateTimeOffset Time, LogSource Source, string? Revision, string? Instance, LogStream? Stream, string Line)
{
    /// <summary>The sidecar or init container that wrote it; null for the serving container's lines (and kinletd's).</summary>
    public string? Container { get; init; }
}

/// <summary>What <c>GET …/services/{name}/logs</c> asks for.</summary>
/// <param name="Since">Only lines of the last so long.</param>
/// <param name="Tail">Only the last N lines of each instance (and of kinletd's lines) before following.</param>
/// <param name="Container">Only this container's lines (its name in the revision: the serving one, a sidecar or an init container); kinletd's lines still come.</param>
public sealed record ServiceLogQuery(string Namespace, string Service, string? Revision = null, bool Follow = false, TimeSpan? Since = null, int? Tail = null, string? Container = null);
