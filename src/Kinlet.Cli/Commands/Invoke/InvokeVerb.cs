using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using CloudNative.CloudEvents.Http;

namespace Kinlet.Cli.Commands.Invoke;

/// <summary>
/// <c>kinlet invoke NAME</c>: a curl for a service. Sends the request through kinletd's ingress with the
/// service's Host header and streams the answer to stdout; a non-2xx answer exits with <see cref="ExitCodes.HttpError"/>.
/// </summary>
internal sealed class InvokeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Service to call" };
    private readonly Option<string?> path = new("--path") { Description = "Path (and query) to request", HelpName = "PATH", DefaultValueFactory = _ => "/" };
    private readonly Option<string?> method = new("--method", "-X") { Description = "HTTP method (default GET, or POST with --data)", HelpName = "METHOD" };
    private readonly Option<string[]> headers = Services.TemplateOptions.Many("--header", "-H", "Request header 'Name: value'", "HEADER");
    private readonly Option<string?> data = new("--data", "-d") { Description = "Request body; @FILE reads a file, @- reads stdin", HelpName = "DATA" };
    private readonly Option<string?> tag = new("--tag") { Description = "Call the tagged revision's URL instead of the service's", HelpName = "TAG" };
    private readonly Option<bool> verbose = new("--verbose", "-v") { Description = "Print the request line, the status and the headers to stderr" };
    private readonly Option<bool> cloudEvent = new("--cloudevent") { Description = "Send the data as a CloudEvent in binary mode (built with the CloudEvents SDK)" };
    private readonly Option<string> ceType = new("--type") { Description = "With --cloudevent: the event's type", DefaultValueFactory = _ => "dev.kinlet.invoke" };
    private readonly Option<string> ceSource = new("--source") { Description = "With --cloudevent: the event's source", DefaultValueFactory = _ => "/kinlet/invoke" };
    private readonly Option<string?> ceId = new("--id") { Description = "With --cloudevent: the event's id (default: a new UUID)" };
    private readonly Option<string> ceContentType = new("--content-type") { Description = "With --cloudevent: the data's media type", DefaultValueFactory = _ => "application/json" };

    protected override Command Create() =>
        new("invoke", "Send an HTTP request (or a CloudEvent) to a service and print the answer")
            { name, path, method, headers, data, tag, verbose, cloudEvent, ceType, ceSource, ceId, ceContentType };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var serviceName = r.GetValue(name)!;
        var api = Context.Api(r);
        var body = await ReadBodyAsync(r.GetValue(data), ct).ConfigureAwait(false);
        var parsedHeaders = ParseHeaders(r.GetValue(headers) ?? []);

        var service = await api.GetServiceAsync(ns, serviceName, ct).ConfigureAwait(false);
        var tagName = r.GetValue(tag);
        string? url;
        if (tagName is null)
        {
            url = service.Status?.Url;
        }
        else
        {
            var target = service.Status?.Traffic?.Find(t => t.Tag == tagName)
                ?? throw new CliException($"service {serviceName} has no tag '{tagName}'", ExitCodes.NotFound);
            url = target.Url;
        }
        if (string.IsNullOrEmpty(url))
            throw new CliException($"service {serviceName} has no URL yet; see 'kinlet service describe {serviceName}'", ExitCodes.NotReady);

        var destination = InvokeTarget.Resolve(api.BaseUrl, url, r.GetValue(path));
        var asEvent = r.GetValue(cloudEvent);
        using var request = new HttpRequestMessage(new HttpMethod((r.GetValue(method) ?? (body is null && !asEvent ? "GET" : "POST")).ToUpperInvariant()), destination.RequestUri);
        request.Headers.Host = destination.Host;
        if (asEvent) request.Content = EventContent(r, body);
        else if (body is not null) request.Content = new ByteArrayContent(body);
        foreach (var (headerName, value) in parsedHeaders)
        {
            if (headerName.Equals("Host", StringComparison.OrdinalIgnoreCase)) request.Headers.Host = value;
            else if (!request.Headers.TryAddWithoutValidation(headerName, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(headerName, value);
            }
        }

        var verboseOut = r.GetValue(verbose) ? Context.Host.Stderr : null;
        verboseOut?.WriteLine($"> {request.Method} {destination.RequestUri.PathAndQuery} HTTP/1.1");
        verboseOut?.WriteLine($"> Host: {destination.Host} (sent to {destination.RequestUri.GetLeftPart(UriPartial.Authority)})");
        if (verboseOut is not null) WriteHeaders(verboseOut, "> ", request.Headers, request.Content?.Headers);

        HttpResponseMessage response;
        try
        {
            response = await Context.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(
                $"nothing answers at {destination.RequestUri.GetLeftPart(UriPartial.Authority)} (kinletd's ingress for {destination.Host}): {e.Message}",
                ExitCodes.Unreachable);
        }

        using (response)
        {
            if (verboseOut is not null)
            {
                verboseOut.WriteLine($"< HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase}");
                WriteHeaders(verboseOut, "< ", response.Headers, response.Content.Headers);
            }
            await CopyBodyAsync(response, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new CliException($"HTTP {(int)response.StatusCode}", ExitCodes.HttpError);
        }
        return ExitCodes.Success;
    }

    /// <summary>The CloudEvent for <c>--cloudevent</c>, in binary mode: attributes as ce- headers, the data as the body.</summary>
    private HttpContent EventContent(ParseResult r, byte[]? body)
    {
        var e = new CloudNative.CloudEvents.CloudEvent(CloudNative.CloudEvents.CloudEventsSpecVersion.V1_0)
        {
            Id = r.GetValue(ceId) ?? Guid.NewGuid().ToString(),
            Type = r.GetValue(ceType),
            Source = Uri.TryCreate(r.GetValue(ceSource), UriKind.RelativeOrAbsolute, out var s) ? s : throw CliException.Usage("--source takes a URI reference, e.g. /shop"),
            Time = Context.Now,
        };
        if (body is not null)
        {
            e.DataContentType = r.GetValue(ceContentType);
            e.Data = body;
        }
        return e.ToHttpContent(CloudNative.CloudEvents.ContentMode.Binary, new CloudNative.CloudEvents.SystemTextJson.JsonEventFormatter());
    }

    private async Task CopyBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var host = Context.Host;
        if (host.StdoutStream is { } raw)
        {
            // Bytes as they come: binary bodies stay intact and streamed answers show up live.
            await host.Stdout.FlushAsync(ct).ConfigureAwait(false);
            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await stream.CopyToAsync(raw, ct).ConfigureAwait(false);
            await raw.FlushAsync(ct).ConfigureAwait(false);
            return;
        }
        host.Stdout.Write(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
    }

    private async Task<byte[]?> ReadBodyAsync(string? value, CancellationToken ct)
    {
        if (value is null) return null;
        if (value == "@-") return Encoding.UTF8.GetBytes(await Context.Host.Stdin.ReadToEndAsync(ct).ConfigureAwait(false));
        if (value.StartsWith('@'))
        {
            var file = value[1..];
            if (!File.Exists(file)) throw CliException.Usage($"--data: {file}: no such file");
            return await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false);
        }
        return Encoding.UTF8.GetBytes(value);
    }

    internal static List<(string Name, string Value)> ParseHeaders(IEnumerable<string> values)
    {
        var result = new List<(string, string)>();
        foreach (var raw in values)
        {
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw CliException.Usage($"--header: '{raw}' must be 'Name: value'");
            result.Add((raw[..colon].Trim(), raw[(colon + 1)..].Trim()));
        }
        return result;
    }

    private static void WriteHeaders(TextWriter writer, string prefix, HttpHeaders headers, HttpHeaders? content)
    {
        foreach (var (key, values) in headers.NonValidated)
            if (!key.Equals("Host", StringComparison.OrdinalIgnoreCase))
                writer.WriteLine($"{prefix}{key}: {string.Join(", ", values)}");
        if (content is null) return;
        foreach (var (key, values) in content.NonValidated)
            writer.WriteLine($"{prefix}{key}: {string.Join(", ", values)}");
    }
}
