using System.Net;
using System.Net.Http.Headers;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Kinlet.Eventing.Ingress;

namespace Kinlet.Eventing.Delivery;

/// <summary>What one attempt came to. <see cref="Status"/> is null when there was no response (connection error, timeout).</summary>
public sealed record DeliveryResult(bool Success, int? Status, byte[] Body, string? Error, TimeSpan? RetryAfter, CloudEvent? Reply)
{
    public string Describe() => Status is { } s ? $"HTTP {s}{(Error is null ? "" : ": " + Error)}" : Error ?? "no response";
}

/// <summary>
/// POSTs a stored event to a sink in binary mode, as Knative's dispatcher does: the attributes as <c>ce-</c> headers
/// (written by the CloudEvents SDK), <c>Prefer: reply</c>, <c>Kn-Namespace</c>, and without the broker's
/// <c>knativebrokerttl</c>. A 2xx answer that is a CloudEvent is a reply; a 2xx with another non-empty body is a
/// failure (Knative answers such a delivery 502). One shared handler for every delivery.
/// </summary>
public sealed class EventSender(TimeProvider time) : IDisposable
{
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    });

    private static readonly CloudEventAttribute[] ReplyExtensions = [CloudEventReader.BrokerTtl];

    /// <summary>Most of a failed answer's body kept (Knative's knativeerrordata holds at most 1024 bytes).</summary>
    private const int KeepBytes = DeadLetter.MaxDataBytes;

    public async Task<DeliveryResult> SendAsync(
        SinkTarget target,
        IReadOnlyDictionary<string, string> attributes,
        byte[]? data,
        string @namespace,
        TimeSpan timeout,
        IReadOnlyList<KeyValuePair<string, string>>? extensions,
        long maxReplyBytes,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Connect) { Content = ToContent(attributes, data, extensions) };
        if (target.Host is { } host) request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("Prefer", "reply");
        request.Headers.TryAddWithoutValidation("Kn-Namespace", @namespace);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, null, [], $"no answer within {timeout.TotalSeconds:0.###} s", null, null);
        }
        catch (HttpRequestException e)
        {
            return new DeliveryResult(false, null, [], e.Message, null, null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            try
            {
                if (status is >= 200 and <= 299)
                {
                    // A 202 is never a reply; other 2xx answers that are CloudEvents are.
                    if (status != 202 && response.IsCloudEvent())
                    {
                        if (response.Content.Headers.ContentLength > maxReplyBytes)
                            return new DeliveryResult(false, 502, [], $"the reply is over {maxReplyBytes} bytes", null, null);
                        CloudEvent reply;
                        try
                        {
                            reply = await response.ToCloudEventAsync(CloudEventReader.Formatter, ReplyExtensions).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException)
                        {
                            return new DeliveryResult(false, 502, [], "the reply is not a valid CloudEvent: " + e.Message, null, null);
                        }
                        return reply.IsValid
                            ? new DeliveryResult(true, status, [], null, null, reply)
                            : new DeliveryResult(false, 502, [], "the reply is missing required CloudEvent attributes", null, null);
                    }
                    var body = await ReadSomeAsync(response, attempt.Token).ConfigureAwait(false);
                    return status == 202 || body.Length == 0
                        ? new DeliveryResult(true, status, [], null, null, null)
                        : new DeliveryResult(false, 502, body, $"HTTP {status} with a body that is not a CloudEvent (a subscriber answers with nothing or with an event)", null, null);
                }
                var failed = await ReadSomeAsync(response, attempt.Token).ConfigureAwait(false);
                return new DeliveryResult(false, status, failed, null, RetryAfter(response.Headers.RetryAfter), null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new DeliveryResult(false, null, [], $"the answer did not finish within {timeout.TotalSeconds:0.###} s", null, null);
            }
            catch (HttpRequestException e)
            {
                return new DeliveryResult(false, null, [], e.Message, null, null);
            }
            catch (IOException e)
            {
                return new DeliveryResult(false, null, [], e.Message, null, null);
            }
        }
    }

    /// <summary>
    /// <see cref="SendAsync"/> up to <paramref name="tries"/> times, waiting <paramref name="firstWait"/> × 2, × 4… between
    /// tries, while the failure is one Knative retries; for sends with no retry policy of their own (a dead-letter
    /// sink, a PingSource tick). Answers the last result.
    /// </summary>
    public async Task<DeliveryResult> SendWithRetriesAsync(
        SinkTarget target,
        IReadOnlyDictionary<string, string> attributes,
        byte[]? data,
        string @namespace,
        TimeSpan timeout,
        IReadOnlyList<KeyValuePair<string, string>>? extensions,
        int tries,
        TimeSpan firstWait,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        DeliveryResult result = null!;
        for (var i = 0; i < tries; i++)
        {
            if (i > 0) await Task.Delay(firstWait * (1 << i), time, cancellationToken).ConfigureAwait(false);
            result = await SendAsync(target, attributes, data, @namespace, timeout, extensions, 0, cancellationToken).ConfigureAwait(false);
            if (result.Success || !RetryPolicy.IsRetryable(result.Status)) break;
        }
        return result;
    }

    /// <summary>The event as the SDK writes it in binary mode, from the attributes and bytes the broker stored.</summary>
    public static HttpContent ToContent(IReadOnlyDictionary<string, string> attributes, byte[]? data, IReadOnlyList<KeyValuePair<string, string>>? extensions)
    {
        var e = new CloudEvent(CloudEventsSpecVersion.V1_0);
        foreach (var (name, value) in attributes)
        {
            if (name is "specversion" || name == CloudEventReader.BrokerTtl.Name) continue;
            e.SetAttributeFromString(name, value);
        }
        if (extensions is not null)
            foreach (var (name, value) in extensions) e.SetAttributeFromString(name, value);
        if (data is not null)
        {
            e.Data = data;
            // The SDK needs a content type to write bytes; an event that came without one goes out as octet-stream.
            e.DataContentType ??= "application/octet-stream";
        }
        return e.ToHttpContent(ContentMode.Binary, CloudEventReader.Formatter);
    }

    private static async Task<byte[]> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[KeepBytes];
        var total = 0;
        int n;
        while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0) total += n;
        return total == buffer.Length ? buffer : buffer[..total];
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? value) => value switch
    {
        { Delta: { } d } => d,
        { Date: { } date } => date - time.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };

    public void Dispose() => _http.Dispose();
}
