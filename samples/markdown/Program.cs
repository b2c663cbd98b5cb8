// samples/markdown: a Markdown-to-HTML function (Markdig), built and deployed with `kinlet deploy`.
// Kinlet (and Knative) set $PORT; SIGTERM stops it after the requests in flight.
using Markdown;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
// One line per log entry (kinlet logs prefixes each with its instance); no per-request framework chatter.
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var maxBytes = (int.TryParse(Environment.GetEnvironmentVariable("MAX_BODY_KIB"), out var kib) ? kib : 1024) * 1024;
// The limit is enforced below, where the rest of an oversized body can be read and dropped before the 413:
// a server that stops reading mid-upload resets the connection, and the client (or kinletd in between) sees
// a broken request instead of the answer. Kestrel's own cap only stops abuse far beyond it.
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16L * maxBytes);

var app = builder.Build();
var renderer = new Renderer();

app.MapGet("/", () => Results.Text(
    "POST Markdown to / and get HTML back; ?page=true wraps it in a whole page titled by the first heading.\n" +
    "  curl --data-binary @README.md http://markdown.localhost:8080/\n"));

app.MapPost("/", async (HttpRequest request, bool? page, ILogger<Renderer> logger, CancellationToken ct) =>
{
    using var buffer = new MemoryStream();
    var chunk = new byte[16 * 1024];
    int read;
    while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
    {
        if (buffer.Length + read > maxBytes)
        {
            while (await request.Body.ReadAsync(chunk, ct) > 0) { } // drain, then answer
            return Results.Text($"the document is over {maxBytes / 1024} KiB\n", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        buffer.Write(chunk, 0, read);
    }
    var markdown = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    var started = TimeProvider.System.GetTimestamp();
    var rendered = renderer.Render(markdown);
    logger.LogInformation("rendered {Bytes} bytes of Markdown ({Headings} headings) in {Ms:0.0} ms",
        markdown.Length, rendered.Headings, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
    var html = page == true ? Renderer.Page(rendered) : rendered.Html;
    return Results.Text(html, "text/html; charset=utf-8");
});

app.Run();
