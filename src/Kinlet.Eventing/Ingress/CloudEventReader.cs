using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Eventing.Ingress;

/// <summary>An event that is not a valid CloudEvent; <see cref="Attribute"/> names what is wrong (400).</summary>
public sealed class InvalidEventException(string attribute, string message) : Exception(message)
{
    public string Attribute { get; } = attribute;
}

/// <summary>A request body over the broker's limit (413).</summary>
public sealed class EventTooLargeException(long limit) : Exception($"the request body is over the limit of {limit} bytes")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Reads the CloudEvents in an HTTP request with the CloudEvents SDK: structured mode
/// (<c>application/cloudevents+json</c>), batched mode (<c>application/cloudevents-batch+json</c>) or binary
/// mode (<c>ce-*</c> headers, the body as data). Everything the SDK rejects, and events missing a required
/// attribute, become an <see cref="InvalidEventException"/> naming the attribute, never a 500.
/// </summary>
public static class CloudEventReader
{
    /// <summary>The broker's loop guard, an integer extension (the SDK would make an undeclared one a string).</summary>
    public static readonly CloudEventAttribute BrokerTtl = CloudEventAttribute.CreateExtension("knativebrokerttl", CloudEventAttributeType.Integer);

    private static readonly CloudEventAttribute[] Extensions = [BrokerTtl];
    /// <summary>The one JSON formatter (structured and batched mode, and the data of a JSON event as bytes).</summary>
    public static readonly JsonEventFormatter Formatter = new();

    public static async Task<IReadOnlyList<CloudEvent>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        var contentType = request.ContentType;
        try
        {
            if (MimeUtilities.IsCloudEventsBatchContentType(contentType))
            {
                var batch = Formatter.DecodeBatchModeMessage(body, MimeUtilities.CreateContentTypeOrNull(contentType), Extensions);
                if (batch.Count == 0) throw new InvalidEventException("batch", "the batch holds no event");
                foreach (var e in batch) Validate(e);
                return [.. batch];
            }
            if (MimeUtilities.IsCloudEventsContentType(contentType))
            {
                var structured = Formatter.DecodeStructuredModeMessage(body, MimeUtilities.CreateContentTypeOrNull(contentType), Extensions);
                Validate(structured);
                return [structured];
            }
            var binary = Binary(request, body);
            Validate(binary);
            return [binary];
        }
        catch (InvalidEventException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidOperationException)
        {
            throw new InvalidEventException(AttributeIn(e.Message), "not a valid CloudEvent: " + e.Message);
        }
    }

    private static CloudEvent Binary(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        var versionHeader = request.Headers["ce-specversion"].ToString();
        if (versionHeader.Length == 0)
            throw new InvalidEventException("specversion", "missing ce-specversion header (or send Content-Type: application/cloudevents+json)");
        var version = CloudEventsSpecVersion.FromVersionId(HttpUtilities.DecodeHeaderValue(versionHeader))
            ?? throw new InvalidEventException("specversion", $"specversion \"{versionHeader}\" is not supported; send 1.0");
        var cloudEvent = new CloudEvent(version, Extensions);
        foreach (var (name, values) in request.Headers)
        {
            var attribute = HttpUtilities.GetAttributeNameFromHeaderName(name);
            if (attribute is null || attribute == CloudEventsSpecVersion.SpecVersionAttribute.Name) continue;
            try
            {
                cloudEvent.SetAttributeFromString(attribute, HttpUtilities.DecodeHeaderValue(values.ToString()));
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new InvalidEventException(attribute, $"attribute {attribute} is not valid: {e.Message}");
            }
        }
        if (request.ContentType is { Length: > 0 } contentType) cloudEvent.DataContentType = contentType;
        if (!body.IsEmpty) cloudEvent.Data = body.ToArray();
        return cloudEvent;
    }

    private static void Validate(CloudEvent cloudEvent)
    {
        if (cloudEvent.SpecVersion != CloudEventsSpecVersion.V1_0)
            throw new InvalidEventException("specversion", "specversion must be 1.0");
        if (string.IsNullOrEmpty(cloudEvent.Id)) throw new InvalidEventException("id", "the required attribute id is missing");
        if (cloudEvent.Source is null) throw new InvalidEventException("source", "the required attribute source is missing");
        if (string.IsNullOrEmpty(cloudEvent.Type)) throw new InvalidEventException("type", "the required attribute type is missing");
        if (!cloudEvent.IsValid) throw new InvalidEventException("event", "the event is missing a required attribute");
    }

    /// <summary>The SDK's messages name the attribute in quotes or as a parameter; the first known name found, else "event".</summary>
    private static string AttributeIn(string message)
    {
        foreach (var name in (string[])["specversion", "id", "source", "type", "time", "dataschema", "datacontenttype", "subject", "data"])
            if (System.Text.RegularExpressions.Regex.IsMatch(message, $@"\b{name}\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)) return name;
        return "event";
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) throw new EventTooLargeException(maxBytes);
        using var buffer = new MemoryStream(request.ContentLength is > 0 and var n ? (int)Math.Min(n, maxBytes) : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw new EventTooLargeException(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
