using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Filters;
using Kinlet.Store;
using Kinlet.Eventing.Dispatcher;
using Kinlet.Store.Events;

namespace Kinlet.Eventing.Controllers;

/// <summary>
/// Trigger resources: the shape (Core's EventingValidator), then what needs the engine: filters compiled
/// (CESQL parsed) and delivery settings read, so a trigger that could never work is a 400 when it is
/// applied, naming the field. Status: Ready when its broker exists, and the subscriber's resolved URI.
/// </summary>
public sealed class TriggerController(
    IResourceStore store, BrokerController brokers, SinkResolver sinks, IEventLog log, IDeliveryStore deliveries,
    TriggerCounters counters, EventingChanges changes, TimeProvider time)
{
    private readonly Lock _gate = new();

    public IReadOnlyList<Trigger> List(string? @namespace) =>
        [.. store.List<Trigger>(Kinds.Trigger, @namespace).Select(WithStatus)];

    public Trigger Get(string @namespace, string name) =>
        WithStatus(store.Get<Trigger>(Kinds.Trigger, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Trigger, name));

    public async Task<Trigger> ApplyAsync(Trigger trigger, string @namespace, CancellationToken cancellationToken)
    {
        trigger.Metadata.Namespace = string.IsNullOrEmpty(trigger.Metadata.Namespace) ? @namespace : trigger.Metadata.Namespace;
        EventingValidator.ThrowIfInvalid(EventingValidator.Validate(trigger));
        Compile(trigger.Spec);
        var ns = trigger.Metadata.Namespace!;
        var name = trigger.Metadata.Name!;
        bool fresh;
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
            fresh = existing?.Metadata.Uid != trigger.Metadata.Uid;
        }
        if (fresh)
        {
            // A new trigger gets the events that arrive from now on: its position is the end of the log, written
            // before the answer so an event sent right after "created" is not missed.
            var key = Dispatcher.TriggerDispatcher.Key(ns, name);
            await deliveries.DeleteTriggerAsync(key, cancellationToken).ConfigureAwait(false);
            await deliveries.SaveCheckpointAsync(key, new TriggerCheckpoint(trigger.Metadata.Uid!, log.LastSequence(ns, trigger.Spec.Broker!), [], 0, 0, 0, null, null),
                cancellationToken).ConfigureAwait(false);
        }
        changes.Set();
        return WithStatus(trigger);
    }

    public Trigger Delete(string @namespace, string name)
    {
        lock (_gate)
        {
            var trigger = Get(@namespace, name);
            store.Delete(Kinds.Trigger, @namespace, name);
            changes.Set();
            return trigger;
        }
    }

    /// <summary>The trigger's failed events (kept because there was no dead-letter sink, or it failed too).</summary>
    public IReadOnlyList<DeliveryRecord> Failed(string @namespace, string name, int max)
    {
        Get(@namespace, name);
        return counters.Running(@namespace, name)?.Failed(max) ?? deliveries.ListRecords(Dispatcher.TriggerDispatcher.Key(@namespace, name), DeliveryRecordState.Failed, max);
    }

    /// <summary>Delivers the trigger's failed events again (full retry policy); 409 while its dispatcher is starting.</summary>
    public async Task<int> RedriveAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        Get(@namespace, name);
        var dispatcher = counters.Running(@namespace, name)
            ?? throw new ResourceConflictException($"trigger \"{name}\" is starting; try again in a moment", "metadata.name");
        return await dispatcher.RedriveAsync(cancellationToken).ConfigureAwait(false);
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
        var status = new TriggerStatus { ObservedGeneration = trigger.Metadata.Generation, SubscriberUri = sinks.Uri(trigger.Spec.Subscriber, ns) };
        if (counters.For(ns, trigger) is { } c)
        {
            status.Delivered = c.Delivered;
            status.Retrying = c.Retrying;
            status.DeadLettered = c.DeadLettered;
            status.Failed = c.Failed;
            status.Backlog = c.Backlog;
            status.LastError = c.LastError;
        }
        var since = trigger.Metadata.CreationTimestamp ?? time.GetUtcNow();
        if (trigger.Spec.Broker is { } broker && brokers.Exists(ns, broker))
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.True, null, null, since);
        else
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.False, "BrokerDoesNotExist",
                $"broker \"{trigger.Spec.Broker}\" does not exist in namespace \"{ns}\"", since);
        trigger.Status = status;
        return trigger;
    }
}
