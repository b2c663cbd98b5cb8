using System.Collections.Concurrent;
using System.Globalization;
using CloudNative.CloudEvents;
using Kinlet.Store.Events;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Ingress;

/// <summary>An event the loop guard stopped: its <c>knativebrokerttl</c> reached 0.</summary>
public sealed class TtlExhaustedException(string id) : Exception($"event {id} has been through too many brokers (knativebrokerttl reached 0): dropped")
{
    public string EventId { get; } = id;
}

/// <summary>
/// The one way into a broker's log (ingress, replies, PingSource, lifecycle events): applies the loop guard and
/// the arrival time, appends durably, then wakes the broker's triggers.
/// </summary>
public sealed class EventPublisher(IEventLog log, BrokerSignals signals, IOptions<EventingOptions> options, TimeProvider time)
{
    public const string ArrivalTime = "knativearrivaltime";
    private readonly int _defaultTtl = options.Value.DefaultTtl;

    /// <summary>Stores all of <paramref name="events"/> or none; throws <see cref="TtlExhaustedException"/> before storing any when one is out of hops.</summary>
    public async Task<long[]> PublishAsync(string @namespace, string broker, IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken)
    {
        var stored = new StoredEvent[events.Count];
        var arrived = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // The loop guard: set on the way in, one less on every hop; at zero the event goes no further.
            var ttl = e[CloudEventReader.BrokerTtl] is int t ? t - 1 : _defaultTtl;
            if (ttl <= 0) throw new TtlExhaustedException(e.Id ?? "");
            stored[i] = ToStored(e, ttl, arrived);
        }
        var sequences = await log.AppendAsync(@namespace, broker, stored, cancellationToken).ConfigureAwait(false);
        signals.Notify(@namespace, broker);
        return sequences;
    }

    /// <summary>Every populated attribute of <paramref name="e"/> in its CloudEvents string form, by name.</summary>
    public static Dictionary<string, string> AttributeStrings(CloudEvent e)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (attribute, value) in e.GetPopulatedAttributes())
            attributes[attribute.Name] = attribute.Format(value);
        return attributes;
    }

    private static StoredEvent ToStored(CloudEvent e, int ttl, string arrived)
    {
        var attributes = AttributeStrings(e);
        attributes[CloudEventReader.BrokerTtl.Name] = ttl.ToString(CultureInfo.InvariantCulture);
        attributes.TryAdd(ArrivalTime, arrived);
        byte[]? data = null;
        if (e.Data is not null) data = CloudEventReader.Formatter.EncodeBinaryModeEventData(e).ToArray();
        return new StoredEvent(attributes, data);
    }
}

/// <summary>Wakes the dispatchers of a broker's triggers when events were appended to its log.</summary>
public sealed class BrokerSignals
{
    private readonly ConcurrentDictionary<string, AsyncSignal> _signals = new(StringComparer.Ordinal);

    public void Notify(string @namespace, string broker)
    {
        if (_signals.TryGetValue(Key(@namespace, broker), out var s)) s.Set();
    }

    /// <summary>The broker's wake-up: its <see cref="AsyncSignal.Next"/> completes at the next append.</summary>
    public AsyncSignal For(string @namespace, string broker) => _signals.GetOrAdd(Key(@namespace, broker), _ => new AsyncSignal());

    private static string Key(string ns, string broker) => ns + "/" + broker;

}
