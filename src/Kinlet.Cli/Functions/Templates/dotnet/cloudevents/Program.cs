using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

// The function's host. Kinlet (and Knative) set $PORT; SIGTERM stops it after the requests in flight.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
// One line per log entry (kinlet logs prefixes each with its instance); no per-request framework chatter.
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var app = builder.Build();
var formatter = new JsonEventFormatter();
app.MapPost("/{**path}", async (HttpContext context, ILogger<Program> logger) =>
{
    CloudEvent received;
    try
    {
        received = await CloudEventHttp.ReadAsync(context.Request, formatter, context.RequestAborted);
    }
    catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
    {
        return Results.BadRequest($"not a CloudEvent: {e.Message}\n");
    }
    var reply = await Handler.HandleAsync(received, logger);
    if (reply is null) return Results.Accepted();
    await CloudEventHttp.WriteAsync(context.Response, reply, formatter, context.RequestAborted);
    return Results.Empty;
});
app.Run();
