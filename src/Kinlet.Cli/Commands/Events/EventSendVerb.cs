using System.CommandLine;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;

namespace Kinlet.Cli.Commands.Events;

/// <summary>
/// <c>kinlet event send --broker NAME --type T --source S [--data JSON] [--id ID] [--extension k=v]...</c>: builds a
/// CloudEvent with the CloudEvents SDK and posts it in binary mode to the broker's ingress URL.
/// </summary>
internal sealed class EventSendVerb(CliContext context) : Verb(context)
{
    private readonly Option<string> broker = new("--broker") { Description = "The broker to send to", DefaultValueFactory = _ => "default" };
    private readonly Option<string> type = new("--type") { Description = "The event's type, e.g. com.example.order.created", Required = true };
    private readonly Option<string> source = new("--source") { Description = "The event's source (a URI reference), e.g. /shop", Required = true };
    private readonly Option<string?> id = new("--id") { Description = "The event's id (default: a new UUID)" };
    private readonly Option<string?> subject = new("--subject") { Description = "The event's subject" };
    private readonly Option<string?> data = new("--data") { Description = "The event's data (JSON unless --content-type says otherwise)" };
    private readonly Option<string> contentType = new("--content-type") { Description = "The data's media type", DefaultValueFactory = _ => "application/json" };
    private readonly Option<string[]> extension = new("--extension") { Description = "An extension attribute, NAME=VALUE (repeatable)" };

    protected override Command Create() =>
        new("send", "Send a CloudEvent to a broker") { broker, type, source, id, subject, data, contentType, extension };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var brokerName = r.GetValue(broker)!;
        var target = await Context.Api(r).GetBrokerAsync(ns, brokerName, ct).ConfigureAwait(false);
        var url = target.Status?.Address?.Url ?? throw new CliException($"broker '{brokerName}' has no address yet", ExitCodes.NotReady);

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = r.GetValue(id) ?? Guid.NewGuid().ToString(),
            Type = r.GetValue(type),
            Source = Uri.TryCreate(r.GetValue(source), UriKind.RelativeOrAbsolute, out var s) ? s : throw CliException.Usage("--source takes a URI reference, e.g. /shop"),
            Time = Context.Now,
            Subject = r.GetValue(subject),
        };
        foreach (var pair in r.GetValue(extension) ?? [])
        {
            var i = pair.IndexOf('=');
            if (i <= 0) throw CliException.Usage($"--extension takes NAME=VALUE, not '{pair}'");
            try
            {
                cloudEvent.SetAttributeFromString(pair[..i], pair[(i + 1)..]);
            }
            catch (ArgumentException e)
            {
                throw CliException.Usage($"--extension {pair[..i]}: {e.Message}");
            }
        }
        if (r.GetValue(data) is { } payload)
        {
            var media = r.GetValue(contentType)!;
            if (media.StartsWith(MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase)) CheckJson(payload);
            cloudEvent.DataContentType = media;
            cloudEvent.Data = Encoding.UTF8.GetBytes(payload);
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var content = cloudEvent.ToHttpContent(ContentMode.Binary, new JsonEventFormatter());
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(url, content, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"could not reach the broker at {url}: {e.Message}", ExitCodes.Unreachable);
        }
        using (response)
        {
            if ((int)response.StatusCode == 202)
            {
                Context.Output(r, null).Line($"Event {cloudEvent.Id} accepted by broker '{brokerName}'.");
                return ExitCodes.Success;
            }
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new CliException($"the broker answered {(int)response.StatusCode}: {body.Trim()}", ExitCodes.HttpError);
        }
    }

    private static void CheckJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"--data is not JSON ({e.Message}); pass --content-type for other data");
        }
    }
}
