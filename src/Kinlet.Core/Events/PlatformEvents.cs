namespace Kinlet.Core.Events;

/// <summary>
/// Something that happened to a Kinlet resource, as a lifecycle event: type <c>dev.kinlet.&lt;resource&gt;.&lt;verb&gt;</c>
/// (e.g. <c>dev.kinlet.revision.ready</c>), the resource's Knative path as its source, its name as subject, and a
/// small JSON-serialisable body.
/// </summary>
public sealed record PlatformEvent(string Type, string Namespace, string Resource, string Name, IReadOnlyDictionary<string, object?> Data)
{
    /// <summary>The resource's path in the control API, e.g. <c>/apis/serving.knative.dev/v1/namespaces/default/revisions/hello-00001</c>.</summary>
    public string Source => $"/apis/{(Resource is "service" or "revision" or "route" or "configuration" ? Model.KnativeApi.ServingV1 : Model.KnativeApi.EventingV1)}/namespaces/{Namespace}/{Resource}s/{Name}";
}

/// <summary>
/// Where the platform reports its own lifecycle (Knative's ApiServerSource, on one node). Emit never blocks and
/// never throws: the request path and the reconcilers call it.
/// </summary>
public interface IPlatformEvents
{
    void Emit(PlatformEvent e);
}

/// <summary>No lifecycle events (the default when eventing is not wired in).</summary>
public sealed class NoPlatformEvents : IPlatformEvents
{
    public static readonly NoPlatformEvents Instance = new();

    public void Emit(PlatformEvent e)
    {
    }
}

/// <summary>
/// One receiver of lifecycle events (the lifecycle broker, <c>kinlet logs</c>). Each layer registers its own
/// (<see cref="PlatformEventSink{T}"/>); the one <see cref="IPlatformEvents"/> fans out to all of them.
/// </summary>
public interface IPlatformEventSink
{
    void Emit(PlatformEvent e);
}

/// <summary>Makes <typeparamref name="T"/> a sink (registered as <c>IPlatformEventSink</c> → <c>PlatformEventSink&lt;T&gt;</c>, once per type).</summary>
public sealed class PlatformEventSink<T>(T target) : IPlatformEventSink where T : IPlatformEvents
{
    public void Emit(PlatformEvent e) => target.Emit(e);
}

/// <summary>The same events to several receivers (the lifecycle broker, <c>kinlet logs</c>), in order; one that throws does not stop the rest.</summary>
public sealed class PlatformEventFanOut : IPlatformEvents
{
    private readonly Action<PlatformEvent>[] _targets;

    public PlatformEventFanOut(params IReadOnlyList<IPlatformEvents> targets) => _targets = [.. targets.Select(t => (Action<PlatformEvent>)t.Emit)];

    /// <summary>Every registered sink (the daemon's one <see cref="IPlatformEvents"/>).</summary>
    public PlatformEventFanOut(IEnumerable<IPlatformEventSink> sinks) => _targets = [.. sinks.Select(t => (Action<PlatformEvent>)t.Emit)];

    public void Emit(PlatformEvent e)
    {
        foreach (var target in _targets)
        {
            try
            {
                target(e);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Emit never throws (the contract); a receiver that breaks it must not take the others down.
            }
        }
    }
}
