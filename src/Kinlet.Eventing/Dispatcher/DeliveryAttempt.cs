using System.Globalization;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Ingress;
using Microsoft.Extensions.Logging;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>One attempt to a trigger's subscriber; a reply goes back into the broker before the attempt counts as a success.</summary>
internal sealed class DeliveryAttempt(EventSender sender, EventPublisher publisher, EventingOptions options, ILogger logger)
{
    public async Task<DeliveryResult> SendAsync(TriggerSnapshot s, IReadOnlyDictionary<string, string> attributes, byte[]? data, CancellationToken ct)
    {
        if (s.Subscriber is not { } target)
            return new DeliveryResult(false, null, [], "the trigger's subscriber cannot be resolved", null, null);
        var result = await sender.SendAsync(target, attributes, data, s.Namespace, s.Retry.Timeout ?? options.DeliveryTimeout,
            null, options.MaxRequestBytes, ct).ConfigureAwait(false);
        if (result.Reply is not { } reply) return result;
        // A reply carries the hop count of the event it answers; the broker takes one off as it stores it.
        reply[CloudEventReader.BrokerTtl] = attributes.TryGetValue(CloudEventReader.BrokerTtl.Name, out var t)
            && int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ttl) ? ttl : options.DefaultTtl;
        try
        {
            await publisher.PublishAsync(s.Namespace, s.Broker, [reply], ct).ConfigureAwait(false);
        }
        catch (TtlExhaustedException)
        {
            DispatcherLog.ReplyDropped(logger, s.Namespace, s.Name, reply.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storing the reply failed: the original delivery is tried again.
            return new DeliveryResult(false, null, [], "the reply could not be stored: " + e.Message, null, null);
        }
        return result;
    }
}
