using System.Net.Mime;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;

/// <summary>
/// CloudEvents over ASP.NET Core's request and response, with the SDK's formatter: binary mode (ce-* headers)
/// and structured mode (application/cloudevents+json) in, binary mode out (what Knative brokers send and take).
/// </summary>
public static class CloudEventHttp
{
    public static async Task<CloudEvent> ReadAsync(HttpRequest request, CloudEventFormatter formatter, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var body = new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        var contentType = request.ContentType;
        if (MimeUtilities.IsCloudEventsContentType(contentType))
            return formatter.DecodeStructuredModeMessage(body, new ContentType(contentType!), null);

        var version = CloudEventsSpecVersion.FromVersionId(request.Headers["ce-specversion"].FirstOrDefault())
            ?? throw new ArgumentException("missing or unknown ce-specversion header");
        var cloudEvent = new CloudEvent(version);
        foreach (var (name, values) in request.Headers)
        {
            if (!name.StartsWith("ce-", StringComparison.OrdinalIgnoreCase) || name.Equals("ce-specversion", StringComparison.OrdinalIgnoreCase))
                continue;
            cloudEvent.SetAttributeFromString(name[3..].ToLowerInvariant(), values.ToString());
        }
        if (contentType is not null) cloudEvent.DataContentType = contentType;
        formatter.DecodeBinaryModeEventData(body, cloudEvent);
        return cloudEvent.Validate();
    }

    public static async Task WriteAsync(HttpResponse response, CloudEvent cloudEvent, CloudEventFormatter formatter, CancellationToken ct)
    {
        cloudEvent.Validate();
        response.StatusCode = StatusCodes.Status200OK;
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            if (attribute == cloudEvent.SpecVersion.DataContentTypeAttribute) continue;
            response.Headers["ce-" + attribute.Name] = attribute.Format(value);
        }
        response.Headers["ce-specversion"] = cloudEvent.SpecVersion.VersionId;
        var data = formatter.EncodeBinaryModeEventData(cloudEvent);
        if (formatter.GetOrInferDataContentType(cloudEvent) is { } type) response.ContentType = type;
        await response.Body.WriteAsync(data, ct);
    }
}
