// samples/markdown: a Markdown-to-HTML function (Markdig), built and deployed with `kinlet deploy`.
// Kinlet (and Knative) set $PORT; SIGTERM stops it after the requests in flight.
using Markdown;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
// One line per log entry (kinlet logs prefixes each with its instance); no per-request framework chatter.
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var maxBytes = (int.TryParse(Environment.GetEnvironmentVariable("MAX_BODY_KIB"), out var kib) ? kib : 1024) * 1024;
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBytes);

var app = builder.Build();
var renderer = new Renderer();

app.MapGet("/", () => Results.Text(
    "POST Markdown to / and get HTML back; ?page=true wraps it in a whole page titled by the first heading.\n" +
    "  curl --data-binary @README.md http://markdown.localhost:8080/\n"));

app.MapPost("/", async (HttpRequest request, bool? page, ILogger<Renderer> logger, CancellationToken ct) =>
{
    string markdown;
    try
    {
        using var reader = new StreamReader(request.Body);
        markdown = await reader.ReadToEndAsync(ct);
    }
    catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
    {
        return Results.Text($"the document is over {maxBytes / 1024} KiB\n", statusCode: StatusCodes.Status413PayloadTooLarge);
    }
    var started = TimeProvider.System.GetTimestamp();
    var rendered = renderer.Render(markdown);
    logger.LogInformation("rendered {Bytes} bytes of Markdown ({Headings} headings) in {Ms:0.0} ms",
        markdown.Length, rendered.Headings, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
    var html = page == true ? Renderer.Page(rendered) : rendered.Html;
    return Results.Text(html, "text/html; charset=utf-8");
});

app.Run();
