using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Sources;
using Kinlet.Store;

namespace Kinlet.Eventing.Controllers;

/// <summary>
/// PingSource resources (sources.knative.dev/v1): the shape (Core's EventingValidator), the schedule and time zone
/// (parsed here, so a bad one is a 400 naming the field), stored; status on read: Ready and the sink's URI.
/// </summary>
public sealed class PingSourceController(IResourceStore store, SinkResolver sinks, EventingChanges changes, TimeProvider time)
{
    private readonly Lock _gate = new();

    public IReadOnlyList<PingSource> List(string? @namespace) =>
        [.. store.List<PingSource>(Kinds.PingSource, @namespace).Select(WithStatus)];

    public PingSource Get(string @namespace, string name) =>
        WithStatus(store.Get<PingSource>(Kinds.PingSource, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.PingSource, name));

    public PingSource Apply(PingSource source, string @namespace)
    {
        source.Metadata.Namespace = string.IsNullOrEmpty(source.Metadata.Namespace) ? @namespace : source.Metadata.Namespace;
        EventingValidator.ThrowIfInvalid(EventingValidator.Validate(source));
        try
        {
            PingSchedule.Parse(source.Spec.Schedule, source.Spec.Timezone);
        }
        catch (PingScheduleException e)
        {
            throw new ValidationException(e.Field, e.Detail);
        }
        var ns = source.Metadata.Namespace!;
        var name = source.Metadata.Name!;
        lock (_gate)
        {
            var existing = store.Get<PingSource>(Kinds.PingSource, ns, name);
            source.Metadata.CreationTimestamp = existing?.Metadata.CreationTimestamp ?? time.GetUtcNow();
            source.Metadata.Uid = existing?.Metadata.Uid ?? Guid.NewGuid().ToString();
            source.Metadata.Generation = (existing?.Metadata.Generation ?? 0) + 1;
            source.Status = null;
            store.Put(Kinds.PingSource, ns, name, source);
        }
        changes.Set();
        return WithStatus(source);
    }

    public PingSource Delete(string @namespace, string name)
    {
        lock (_gate)
        {
            var source = Get(@namespace, name);
            store.Delete(Kinds.PingSource, @namespace, name);
            changes.Set();
            return source;
        }
    }

    private PingSource WithStatus(PingSource source)
    {
        var ns = source.Metadata.Namespace ?? KnativeApi.DefaultNamespace;
        var status = new PingSourceStatus { ObservedGeneration = source.Metadata.Generation, SinkUri = sinks.Uri(source.Spec.Sink, ns) };
        status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.True, null, null, source.Metadata.CreationTimestamp ?? time.GetUtcNow());
        source.Status = status;
        return source;
    }
}
