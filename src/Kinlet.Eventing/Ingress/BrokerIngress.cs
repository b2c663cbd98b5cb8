using System.Text.Json;
using CloudNative.CloudEvents;
using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Ingress;

/// <summary>
/// The broker's HTTP ingress at <c>/{namespace}/{broker}</c> on the ingress port: POST CloudEvents (binary,
/// structured or batched) → 202 once they are durably stored; 400 naming what is wrong, 404 for an unknown
/// broker, 405 for other methods, 413 over the size limit. OPTIONS answers the CloudEvents webhook handshake.
/// </summary>
public sealed class BrokerIngress(BrokerController brokers, EventPublisher publisher, EventingMetrics metrics, IOptions<EventingOptions> options)
{
    public const string ArrivalTime = EventPublisher.ArrivalTime;
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
            metrics.Rejected(ns, name, StatusCodes.Status400BadRequest);
            await ErrorAsync(context, StatusCodes.Status400BadRequest, e.Message, e.Attribute).ConfigureAwait(false);
            return true;
        }
        catch (EventTooLargeException e)
        {
            metrics.Rejected(ns, name, StatusCodes.Status413PayloadTooLarge);
            await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, e.Message, null).ConfigureAwait(false);
            return true;
        }

        try
        {
            await publisher.PublishAsync(ns, name, events, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TtlExhaustedException e)
        {
            metrics.Rejected(ns, name, StatusCodes.Status400BadRequest);
            await ErrorAsync(context, StatusCodes.Status400BadRequest, e.Message, CloudEventReader.BrokerTtl.Name).ConfigureAwait(false);
            return true;
        }
        metrics.Accepted(ns, name).Inc(events.Count);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return true;
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
