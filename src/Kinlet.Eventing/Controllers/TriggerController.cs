using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Filters;
using Kinlet.Store;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Controllers;

/// <summary>
/// Trigger resources: the shape (Core's EventingValidator), then what needs the engine: filters compiled
/// (CESQL parsed) and delivery settings read, so a trigger that could never work is a 400 when it is
/// applied, naming the field. Status: Ready when its broker exists, and the subscriber's resolved URI.
/// </summary>
public sealed class TriggerController(IResourceStore store, BrokerController brokers, IOptions<EventingOptions> options, TimeProvider time)
{
    private readonly EventingOptions _options = options.Value;
    private readonly Lock _gate = new();

    public IReadOnlyList<Trigger> List(string? @namespace) =>
        [.. store.List<Trigger>(Kinds.Trigger, @namespace).Select(WithStatus)];

    public Trigger Get(string @namespace, string name) =>
        WithStatus(store.Get<Trigger>(Kinds.Trigger, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Trigger, name));

    public Trigger Apply(Trigger trigger, string @namespace)
    {
        trigger.Metadata.Namespace = string.IsNullOrEmpty(trigger.Metadata.Namespace) ? @namespace : trigger.Metadata.Namespace;
        EventingValidator.ThrowIfInvalid(EventingValidator.Validate(trigger));
        Compile(trigger.Spec);
        var ns = trigger.Metadata.Namespace!;
        var name = trigger.Metadata.Name!;
        lock (_gate)
        {
            var existing = store.Get<Trigger>(Kinds.Trigger, ns, name);
            if (existing is not null && existing.Spec.Broker != trigger.Spec.Broker)
                throw new ValidationException("spec.broker", $"a trigger's broker cannot change (it is \"{existing.Spec.Broker}\"); delete and recreate the trigger");
            trigger.Metadata.CreationTimestamp = existing?.Metadata.CreationTimestamp ?? time.GetUtcNow();
            trigger.Metadata.Uid = existing?.Metadata.Uid ?? Guid.NewGuid().ToString();
            trigger.Metadata.Generation = (existing?.Metadata.Generation ?? 0) + 1;
            trigger.Status = null;
            store.Put(Kinds.Trigger, ns, name, trigger);
        }
        return WithStatus(trigger);
    }

    public Trigger Delete(string @namespace, string name)
    {
        lock (_gate)
        {
            var trigger = Get(@namespace, name);
            store.Delete(Kinds.Trigger, @namespace, name);
            return trigger;
        }
    }

    /// <summary>The trigger's filter and retry policy; throws <see cref="ValidationException"/> naming the field.</summary>
    public static (IEventFilter Filter, RetryPolicy Retry) Compile(TriggerSpec spec)
    {
        try
        {
            return (FilterCompiler.Compile(spec.Filter?.Attributes, spec.Filters), RetryPolicy.From(spec.Delivery));
        }
        catch (FilterSpecException e)
        {
            throw new ValidationException(e.Field, e.Detail);
        }
        catch (DeliverySpecException e)
        {
            throw new ValidationException(e.Field, e.Detail);
        }
    }

    /// <summary>Status is computed on read (broker present, subscriber URI), never stored.</summary>
    private Trigger WithStatus(Trigger trigger)
    {
        var ns = trigger.Metadata.Namespace ?? KnativeApi.DefaultNamespace;
        var status = new TriggerStatus { ObservedGeneration = trigger.Metadata.Generation, SubscriberUri = SubscriberUri(trigger.Spec.Subscriber, ns) };
        var since = trigger.Metadata.CreationTimestamp ?? time.GetUtcNow();
        if (trigger.Spec.Broker is { } broker && brokers.Exists(ns, broker))
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.True, null, null, since);
        else
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.False, "BrokerDoesNotExist",
                $"broker \"{trigger.Spec.Broker}\" does not exist in namespace \"{ns}\"", since);
        trigger.Status = status;
        return trigger;
    }

    /// <summary>A service is reached through the router at its host (so it scales from zero), a broker at its ingress.</summary>
    public string? SubscriberUri(Destination? destination, string @namespace)
    {
        if (destination is null) return null;
        if (destination.Ref is not { } r) return destination.Uri;
        var ns = r.Namespace ?? @namespace;
        var path = destination.Uri ?? "";
        if (path.Length > 0 && path[0] != '/') path = "/" + path;
        return r.Kind == "Broker"
            ? brokers.Url(ns, r.Name!) + path
            : $"http://{(ns == KnativeApi.DefaultNamespace ? r.Name : r.Name + "." + ns)}.{_options.Domain}:{_options.IngressPort}{path}";
    }
}
