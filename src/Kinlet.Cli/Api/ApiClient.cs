using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Kinlet.Core.Json;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Api;

/// <summary>
/// Typed calls to kinletd's control API. Every HTTP failure becomes an <see cref="ApiException"/> or
/// <see cref="DaemonUnreachableException"/> here; <see cref="ErrorReporter"/> turns those into lines.
/// </summary>
internal sealed partial class ApiClient(HttpClient http, Uri baseUrl, TokenInfo token, Action<string> onWarning)
{
    /// <summary>Most calls answer at once; a stuck daemon should not hang the CLI forever.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>DELETE of a service returns after its containers stopped (SIGTERM, grace period, remove).</summary>
    public static readonly TimeSpan DeleteTimeout = TimeSpan.FromMinutes(5);

    public Uri BaseUrl { get; } = baseUrl;
    public TokenInfo Token { get; } = token;

    /// <summary>The URL as users write it, for messages: no trailing slash.</summary>
    public string DisplayUrl => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    // Services

    /// <summary>Services of one namespace, or of all namespaces when <paramref name="ns"/> is null.</summary>
    public Task<ResourceList<Service>> ListServicesAsync(string? ns, CancellationToken ct) =>
        SendAsync<ResourceList<Service>>(HttpMethod.Get, ns is null ? ApiPaths.AllServices : ApiPaths.Services(ns), null, ct);

    public Task<Service> GetServiceAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<Service>(HttpMethod.Get, ApiPaths.Service(ns, name), null, ct, notFound: NotFound("service", name, ns));

    /// <summary>The service, or null when it does not exist.</summary>
    public async Task<Service?> FindServiceAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            return await GetServiceAsync(ns, name, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Any resource at <paramref name="path"/> (a Knative resource path), or null when it does not exist.</summary>
    public async Task<JsonElement?> FindAsync(string path, CancellationToken ct)
    {
        try
        {
            return await SendAsync<JsonElement>(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Creates (POST to the collection) or replaces (PUT to the item) any resource; answers what the daemon stored.</summary>
    public Task<JsonElement> CreateAsync(string collectionPath, object body, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, collectionPath, body, ct);

    public Task<JsonElement> ReplaceAsync(string itemPath, object body, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Put, itemPath, body, ct);

    /// <summary>POST; <paramref name="body"/> is a <see cref="Service"/> or a raw manifest node.</summary>
    public Task<Service> CreateServiceAsync(string ns, object body, CancellationToken ct) =>
        SendAsync<Service>(HttpMethod.Post, ApiPaths.Services(ns), body, ct);

    public Task<Service> ReplaceServiceAsync(string ns, string name, object body, CancellationToken ct) =>
        SendAsync<Service>(HttpMethod.Put, ApiPaths.Service(ns, name), body, ct, notFound: NotFound("service", name, ns));

    public Task DeleteServiceAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.Service(ns, name), null, ct, NotFound("service", name, ns), DeleteTimeout, allowEmpty: true);

    // Revisions

    public Task<ResourceList<Revision>> ListRevisionsAsync(string ns, string? service, CancellationToken ct) =>
        SendAsync<ResourceList<Revision>>(HttpMethod.Get, ApiPaths.Revisions(ns, service), null, ct);

    public Task<Revision> GetRevisionAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<Revision>(HttpMethod.Get, ApiPaths.Revision(ns, name), null, ct, notFound: NotFound("revision", name, ns));

    public Task DeleteRevisionAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.Revision(ns, name), null, ct, NotFound("revision", name, ns), DeleteTimeout, allowEmpty: true);

    // Routes and configurations

    public Task<ResourceList<Route>> ListRoutesAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<Route>>(HttpMethod.Get, ApiPaths.Routes(ns), null, ct);

    public Task<Route> GetRouteAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<Route>(HttpMethod.Get, ApiPaths.Route(ns, name), null, ct, notFound: NotFound("route", name, ns));

    public Task<ResourceList<Configuration>> ListConfigurationsAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<Configuration>>(HttpMethod.Get, ApiPaths.Configurations(ns), null, ct);

    public Task<Configuration> GetConfigurationAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<Configuration>(HttpMethod.Get, ApiPaths.Configuration(ns, name), null, ct, notFound: NotFound("configuration", name, ns));

    // Daemon

    public Task<ResourceList<Broker>> ListBrokersAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<Broker>>(HttpMethod.Get, ApiPaths.Brokers(ns), null, ct);

    public Task<Broker> GetBrokerAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<Broker>(HttpMethod.Get, ApiPaths.Broker(ns, name), null, ct, notFound: NotFound("broker", name, ns));

    public Task<Broker> CreateBrokerAsync(string ns, object body, CancellationToken ct) =>
        SendAsync<Broker>(HttpMethod.Post, ApiPaths.Brokers(ns), body, ct);

    public Task DeleteBrokerAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.Broker(ns, name), null, ct, NotFound("broker", name, ns), DeleteTimeout, allowEmpty: true);

    public Task<ResourceList<VirtualService>> ListVirtualServicesAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<VirtualService>>(HttpMethod.Get, ApiPaths.VirtualServices(ns), null, ct);

    public Task<VirtualService> GetVirtualServiceAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<VirtualService>(HttpMethod.Get, ApiPaths.VirtualService(ns, name), null, ct, notFound: NotFound("virtualservice", name, ns));

    public Task DeleteVirtualServiceAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.VirtualService(ns, name), null, ct, NotFound("virtualservice", name, ns), allowEmpty: true);

    public Task<ResourceList<DestinationRule>> ListDestinationRulesAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<DestinationRule>>(HttpMethod.Get, ApiPaths.DestinationRules(ns), null, ct);

    public Task<DestinationRule> GetDestinationRuleAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<DestinationRule>(HttpMethod.Get, ApiPaths.DestinationRule(ns, name), null, ct, notFound: NotFound("destinationrule", name, ns));

    public Task DeleteDestinationRuleAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.DestinationRule(ns, name), null, ct, NotFound("destinationrule", name, ns), allowEmpty: true);

    public Task<JsonElement> GetRoutingAsync(string ns, string service, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Get, ApiPaths.Routing(ns, service), null, ct, notFound: NotFound("service", service, ns));

    public Task<ResourceList<Trigger>> ListTriggersAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<Trigger>>(HttpMethod.Get, ApiPaths.Triggers(ns), null, ct);

    public Task<Trigger> GetTriggerAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<Trigger>(HttpMethod.Get, ApiPaths.Trigger(ns, name), null, ct, notFound: NotFound("trigger", name, ns));

    public Task<Trigger> CreateTriggerAsync(string ns, object body, CancellationToken ct) =>
        SendAsync<Trigger>(HttpMethod.Post, ApiPaths.Triggers(ns), body, ct);

    public Task<JsonElement> GetTriggerFailedAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Get, ApiPaths.Trigger(ns, name) + "/failed", null, ct, notFound: NotFound("trigger", name, ns));

    public Task<JsonElement> RedriveTriggerAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, ApiPaths.Trigger(ns, name) + "/redrive", null, ct, notFound: NotFound("trigger", name, ns));

    public Task DeleteTriggerAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.Trigger(ns, name), null, ct, NotFound("trigger", name, ns), DeleteTimeout, allowEmpty: true);

    public Task<ResourceList<PingSource>> ListPingSourcesAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<PingSource>>(HttpMethod.Get, ApiPaths.PingSources(ns), null, ct);

    public Task<PingSource> GetPingSourceAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<PingSource>(HttpMethod.Get, ApiPaths.PingSource(ns, name), null, ct, notFound: NotFound("ping source", name, ns));

    public Task<PingSource> CreatePingSourceAsync(string ns, object body, CancellationToken ct) =>
        SendAsync<PingSource>(HttpMethod.Post, ApiPaths.PingSources(ns), body, ct);

    public Task DeletePingSourceAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.PingSource(ns, name), null, ct, NotFound("ping source", name, ns), DeleteTimeout, allowEmpty: true);

    public Task<ResourceList<Secret>> ListSecretsAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<Secret>>(HttpMethod.Get, ApiPaths.Secrets(ns), null, ct);

    public Task<Secret> CreateSecretAsync(string ns, object body, CancellationToken ct) =>
        SendAsync<Secret>(HttpMethod.Post, ApiPaths.Secrets(ns), body, ct);

    public Task DeleteSecretAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.Secret(ns, name), null, ct, NotFound("secret", name, ns), DeleteTimeout, allowEmpty: true);

    public Task<ResourceList<ConfigMap>> ListConfigMapsAsync(string ns, CancellationToken ct) =>
        SendAsync<ResourceList<ConfigMap>>(HttpMethod.Get, ApiPaths.ConfigMaps(ns), null, ct);

    public Task<ConfigMap> GetConfigMapAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<ConfigMap>(HttpMethod.Get, ApiPaths.ConfigMap(ns, name), null, ct, notFound: NotFound("configmap", name, ns));

    /// <summary>The ConfigMap, or null when it does not exist.</summary>
    public async Task<ConfigMap?> FindConfigMapAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            return await GetConfigMapAsync(ns, name, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<ConfigMap> CreateConfigMapAsync(string ns, ConfigMap body, CancellationToken ct) =>
        SendAsync<ConfigMap>(HttpMethod.Post, ApiPaths.ConfigMaps(ns), body, ct);

    public Task<ConfigMap> ReplaceConfigMapAsync(string ns, string name, ConfigMap body, CancellationToken ct) =>
        SendAsync<ConfigMap>(HttpMethod.Put, ApiPaths.ConfigMap(ns, name), body, ct, notFound: NotFound("configmap", name, ns));

    public Task DeleteConfigMapAsync(string ns, string name, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, ApiPaths.ConfigMap(ns, name), null, ct, NotFound("configmap", name, ns), DeleteTimeout, allowEmpty: true);

    public Task<DaemonVersion> GetVersionAsync(CancellationToken ct) =>
        SendAsync<DaemonVersion>(HttpMethod.Get, ApiPaths.Version, null, ct);

    // Logs

    /// <summary>
    /// The service's logs as the daemon's NDJSON lines, each as soon as it arrives (the response is read as it
    /// streams). Ends when the daemon ends the stream; when following, only when <paramref name="ct"/> is cancelled.
    /// </summary>
    public IAsyncEnumerable<string> StreamServiceLogsAsync(string ns, string name, LogsQuery query, CancellationToken ct) =>
        StreamLinesAsync(ApiPaths.ServiceLogs(ns, name, query), NotFound("service", name, ns), ct);

    private async IAsyncEnumerable<string> StreamLinesAsync(string path, string? notFound, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUrl, path));
        if (Token.Value is { } t) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // Only the answer's headers are bounded: the stream itself lasts as long as the caller reads.
        using var headersCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        headersCts.CancelAfter(DefaultTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersCts.Token).ConfigureAwait(false);
            headersCts.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            yield break;
        }
        catch (OperationCanceledException)
        {
            throw new CliException($"kinletd at {DisplayUrl} did not answer within {DefaultTimeout.TotalSeconds:0}s (GET {path})");
        }
        catch (HttpRequestException e)
        {
            throw ConnectionFailure(e);
        }

        using (response)
        {
            ReportWarnings(response);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw ToApiException(response.StatusCode, text, notFound);
            }
            var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    yield break;
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    if (ct.IsCancellationRequested) yield break;
                    throw new CliException($"the connection to kinletd at {DisplayUrl} broke: {e.Message}");
                }
                if (line is null) yield break;
                if (line.Length > 0) yield return line;
            }
        }
    }

    private static string NotFound(string kind, string name, string ns) => $"{kind} '{name}' not found in namespace '{ns}'";

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct,
        string? notFound = null, TimeSpan? timeout = null, bool allowEmpty = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl, path));
        if (Token.Value is { } t) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), KinletJson.Options), Encoding.UTF8, "application/json");

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = timeout ?? DefaultTimeout;
        timeoutCts.CancelAfter(limit);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutCts.Token).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"kinletd at {DisplayUrl} did not answer within {limit.TotalSeconds:0}s ({method} {path})");
        }
        catch (HttpRequestException e)
        {
            throw ConnectionFailure(e);
        }

        using (response)
        {
            ReportWarnings(response);
            if (!response.IsSuccessStatusCode) throw ToApiException(response.StatusCode, text, notFound);
            if (string.IsNullOrWhiteSpace(text))
            {
                if (allowEmpty) return default!;
                throw new CliException($"kinletd sent an empty answer to {method} {path}");
            }
            try
            {
                var value = JsonSerializer.Deserialize<T>(text, KinletJson.Options);
                if (value is null && !allowEmpty) throw new CliException($"kinletd sent an empty answer to {method} {path}");
                return value!;
            }
            catch (JsonException e)
            {
                if (allowEmpty) return default!;
                throw new CliException($"kinletd sent an answer the CLI cannot read ({method} {path}): {e.Message}");
            }
        }
    }

    /// <summary>A transport failure as the CLI reports it: nothing answers at the URL, or the connection broke.</summary>
    private Exception ConnectionFailure(HttpRequestException e, string during = "") =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
        || e.InnerException is System.Net.Sockets.SocketException
            ? new DaemonUnreachableException(DisplayUrl, e)
            : new CliException($"the connection to kinletd at {DisplayUrl} failed{during}: {e.Message}");

    private void ReportWarnings(HttpResponseMessage response)
    {
        if (!response.Headers.NonValidated.TryGetValues("Warning", out var values)) return;
        foreach (var value in values)
            foreach (var text in WarningHeader.Parse(value))
                onWarning(text);
    }

    /// <summary>The daemon's <c>{"error","field"}</c> when it sent one, else something that still says what failed.</summary>
    internal static ApiException ToApiException(HttpStatusCode status, string body, string? notFound)
    {
        string? message = null, field = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String) message = e.GetString();
                else if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString();
                if (doc.RootElement.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String) field = f.GetString();
            }
        }
        catch (JsonException)
        {
            var firstLine = body.Split('\n', 2)[0].Trim();
            if (firstLine.Length > 0) message = firstLine.Length > 200 ? firstLine[..200] + "…" : firstLine;
        }
        if (string.IsNullOrWhiteSpace(message))
            message = status == HttpStatusCode.NotFound && notFound is not null ? notFound : $"kinletd answered {(int)status} {status}";
        return new ApiException(status, message!, string.IsNullOrWhiteSpace(field) ? null : field);
    }
}
