using System.Globalization;

namespace Kinlet.Containers.Readiness;

/// <summary>
/// Kubernetes' httpGet probe through the published port: 200 ≤ status &lt; 400 is ready. Uses the caller's shared
/// invoker (one connection pool for all probes, never an HttpClient per probe); each attempt is bounded.
/// </summary>
public sealed class HttpReadinessProbe : IReadinessProbe
{
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(1);

    private readonly HttpMessageInvoker _client;
    private readonly string _path;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly TimeSpan _attemptTimeout;

    /// <param name="client">Shared; should not follow redirects (a 3xx is an answer, as in Kubernetes).</param>
    /// <param name="path">Request path, "/" when empty.</param>
    /// <param name="headers">The probe's httpHeaders; a Host header here replaces the default "localhost".</param>
    /// <param name="attemptTimeout">Bound on one attempt (default 1 s, Kubernetes' timeoutSeconds).</param>
    public HttpReadinessProbe(HttpMessageInvoker client, string path = "/", IReadOnlyList<KeyValuePair<string, string>>? headers = null, TimeSpan? attemptTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _path = string.IsNullOrEmpty(path) ? "/" : path[0] == '/' ? path : "/" + path;
        _headers = headers ?? [];
        _attemptTimeout = attemptTimeout ?? DefaultAttemptTimeout;
    }

    public Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken) =>
        ProbeOnSocketAsync(hostPort, cancellationToken).OnThreadPool();

    private async Task<ProbeOutcome> ProbeOnSocketAsync(int hostPort, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:" + hostPort.ToString(CultureInfo.InvariantCulture) + _path);
        request.Headers.Host = "localhost";
        request.Headers.TryAddWithoutValidation("User-Agent", "kinlet-probe");
        foreach (var (name, value) in _headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase)) request.Headers.Host = value;
            else request.Headers.TryAddWithoutValidation(name, value);
        }
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_attemptTimeout);
        try
        {
            using var response = await _client.SendAsync(request, attempt.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 400 ? ProbeOutcome.Success : ProbeOutcome.NotReady($"GET {_path} answered {status}");
        }
        catch (HttpRequestException e)
        {
            return ProbeOutcome.NotReady($"GET {_path}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.NotReady($"GET {_path}: no answer within {_attemptTimeout.TotalMilliseconds:0} ms");
        }
    }
}
