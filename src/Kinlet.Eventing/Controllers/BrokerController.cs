using System.Collections.Concurrent;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Store;
using Kinlet.Store.Events;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Controllers;

/// <summary>
/// Broker resources: validated, stored, given Knative's status (Ready, <c>status.address.url</c> = the ingress
/// URL). Keeps the set of live brokers in memory so the ingress checks one without touching the store.
/// </summary>
public sealed class BrokerController
{
    private readonly IResourceStore _store;
    private readonly EventingOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string, string), Broker> _live = new();
    private readonly Lock _gate = new();

    private readonly EventingChanges _changes;
    private readonly IEventLog _log;

    public BrokerController(IResourceStore store, IEventLog log, IOptions<EventingOptions> options, TimeProvider time, EventingChanges changes)
    {
        _changes = changes;
        _log = log;
        _store = store;
        _options = options.Value;
        _time = time;
        foreach (var b in _store.List<Broker>(Kinds.Broker, null)) _live[(b.Metadata.Namespace!, b.Metadata.Name!)] = b;
    }

    public bool Exists(string @namespace, string name) => _live.ContainsKey((@namespace, name));

    /// <summary>The broker as last applied, without a store read (null when there is none).</summary>
    public Broker? Live(string @namespace, string name) => _live.GetValueOrDefault((@namespace, name));

    public IReadOnlyList<Broker> List(string? @namespace) => _store.List<Broker>(Kinds.Broker, @namespace);

    public Broker Get(string @namespace, string name) =>
        _store.Get<Broker>(Kinds.Broker, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Broker, name);

    /// <summary>Creates the broker, or replaces its spec when it exists (apply semantics).</summary>
    public Broker Apply(Broker broker, string @namespace)
    {
        broker.Metadata.Namespace = string.IsNullOrEmpty(broker.Metadata.Namespace) ? @namespace : broker.Metadata.Namespace;
        EventingValidator.ThrowIfInvalid(EventingValidator.Validate(broker));
        var ns = broker.Metadata.Namespace!;
        var name = broker.Metadata.Name!;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var existing = _store.Get<Broker>(Kinds.Broker, ns, name);
            broker.Metadata.CreationTimestamp = existing?.Metadata.CreationTimestamp ?? now;
            broker.Metadata.Uid = existing?.Metadata.Uid ?? Guid.NewGuid().ToString();
            broker.Metadata.Generation = (existing?.Metadata.Generation ?? 0) + 1;
            var status = new BrokerStatus
            {
                ObservedGeneration = broker.Metadata.Generation,
                Address = new Addressable { Url = Url(ns, name) },
            };
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.True, null, null, now);
            broker.Status = status;
            _store.Put(Kinds.Broker, ns, name, broker);
            _live[(ns, name)] = broker;
            _changes.Set();
            return broker;
        }
    }

    public Broker Delete(string @namespace, string name)
    {
        lock (_gate)
        {
            var broker = Get(@namespace, name);
            _store.Delete(Kinds.Broker, @namespace, name);
            _live.TryRemove((@namespace, name), out _);
            // Its events go with it (numbering is kept, so a broker made again under the name starts after them).
            _log.Prune(@namespace, name, long.MaxValue);
            _changes.Set();
            return broker;
        }
    }

    public string Url(string @namespace, string name) => $"http://{_options.IngressHost}:{_options.IngressPort}/{@namespace}/{name}";
}
