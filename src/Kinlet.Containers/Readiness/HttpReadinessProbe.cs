using System.Globalization;

namespace Kinlet.Containers.Readiness;

/// <summary>Kubernetes' httpGet probe through the published port: 200 ≤ status &lt; 400 is ready.</summary>
public sealed class HttpReadinessProbe(HttpMessageInvoker client, string path, IReadOnlyList<KeyValuePair<string, string>>? headers, TimeSpan attemptTimeout) : IReadinessProbe
{
    public async Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken)
    {
        var p = string.IsNullOrEmpty(path) ? "/" : path[0] == '/' ? path : "/" + path;
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:" + hostPort.ToString(CultureInfo.InvariantCulture) + p);
        request.Headers.TryAddWithoutValidation("User-Agent", "kinlet-probe");
        foreach (var (name, value) in headers ?? [])
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase)) request.Headers.Host = value;
            else request.Headers.TryAddWithoutValidation(name, value);
        }
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(attemptTimeout);
        try
        {
            using var response = await client.SendAsync(request, attempt.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 400 ? ProbeOutcome.Success : ProbeOutcome.NotReady($"GET {p} answered {status}");
        }
        catch (HttpRequestException e)
        {
            return ProbeOutcome.NotReady($"GET {p}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.NotReady($"GET {p}: no answer within {attemptTimeout.TotalMilliseconds:0} ms");
        }
    }
}
