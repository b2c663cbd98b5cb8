using System.Globalization;
using System.Text.Json;
using CloudNative.CloudEvents;
using Kinlet.Eventing.Controllers;
using Kinlet.Store.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Ingress;

/// <summary>
/// The broker's HTTP ingress at <c>/{namespace}/{broker}</c> on the ingress port: POST CloudEvents (binary,
/// structured or batched) → 202 once they are durably stored; 400 naming what is wrong, 404 for an unknown
/// broker, 405 for other methods, 413 over the size limit. OPTIONS answers the CloudEvents webhook handshake.
/// </summary>
public sealed class BrokerIngress(BrokerController brokers, IEventLog log, IOptions<EventingOptions> options, TimeProvider time)
{
    public const string ArrivalTime = "knativearrivaltime";
    private readonly EventingOptions _options = options.Value;

    /// <summary>True when the path names a broker (<c>/{ns}/{name}</c>) and the request was answered.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (!TrySplit(context.Request.Path.Value, out var ns, out var name)) return false;
        var request = context.Request;
        if (HttpMethods.IsOptions(request.Method))
        {
            context.Response.Headers["WebHook-Allowed-Origin"] = "*";
            context.Response.Headers["WebHook-Allowed-Rate"] = "*";
            context.Response.Headers.Allow = "POST, OPTIONS";
            context.Response.StatusCode = StatusCodes.Status200OK;
            return true;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST, OPTIONS";
            await ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, $"the broker ingress takes POST, not {request.Method}", null).ConfigureAwait(false);
            return true;
        }
        if (!brokers.Exists(ns, name))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, $"no broker \"{name}\" in namespace \"{ns}\"", null).ConfigureAwait(false);
            return true;
        }

        IReadOnlyList<CloudEvent> events;
        try
        {
            events = await CloudEventReader.ReadAsync(request, _options.MaxRequestBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidEventException e)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, e.Message, e.Attribute).ConfigureAwait(false);
            return true;
        }
        catch (EventTooLargeException e)
        {
            await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, e.Message, null).ConfigureAwait(false);
            return true;
        }

        var stored = new StoredEvent[events.Count];
        var arrived = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // The loop guard: set on the way in, one less on every hop; at zero the event goes no further.
            var ttl = e[CloudEventReader.BrokerTtl] is int t ? t - 1 : _options.DefaultTtl;
            if (ttl <= 0)
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest,
                    $"event {e.Id} has been through too many brokers (knativebrokerttl reached 0): dropped", CloudEventReader.BrokerTtl.Name).ConfigureAwait(false);
                return true;
            }
            stored[i] = ToStored(e, ttl, arrived);
        }
        await log.AppendAsync(ns, name, stored, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return true;
    }

    private static StoredEvent ToStored(CloudEvent e, int ttl, string arrived)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (attribute, value) in e.GetPopulatedAttributes())
            attributes[attribute.Name] = attribute.Format(value);
        attributes[CloudEventReader.BrokerTtl.Name] = ttl.ToString(CultureInfo.InvariantCulture);
        attributes.TryAdd(ArrivalTime, arrived);
        byte[]? data = null;
        if (e.Data is not null) data = CloudEventReader.Formatter.EncodeBinaryModeEventData(e).ToArray();
        return new StoredEvent(attributes, data);
    }

    private static bool TrySplit(string? path, out string ns, out string name)
    {
        ns = name = "";
        if (string.IsNullOrEmpty(path) || path[0] != '/') return false;
        var rest = path.AsSpan(1).TrimEnd('/');
        var slash = rest.IndexOf('/');
        if (slash <= 0 || rest[(slash + 1)..].IndexOf('/') >= 0 || slash == rest.Length - 1) return false;
        ns = rest[..slash].ToString();
        name = rest[(slash + 1)..].ToString();
        return true;
    }

    // Messages quote names with "; the default encoder would write them as \u0022.
    private static readonly JsonWriterOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static async Task ErrorAsync(HttpContext context, int status, string message, string? field)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body, RelaxedJson);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        if (field is not null) writer.WriteString("field", field);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
