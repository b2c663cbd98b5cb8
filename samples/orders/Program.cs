// samples/orders: one small function image, two roles (env ROLE), wired together by a broker and triggers.
//
//   ROLE=inventory     gets com.example.order.created; reserves the items and answers with a new event,
//                      com.example.inventory.reserved, which the broker takes back in (a reply).
//   ROLE=notification  gets order.created and inventory.reserved; "tells the customer" (a log line).
//
// Events arrive in CloudEvents binary mode: attributes in ce-* headers, the data as the body. An answer is
// a reply when it is a CloudEvent (ce-* headers again); 202 with no body means "taken, nothing to say".
// GET / lists what this instance has seen, newest last.
using System.Collections.Concurrent;
using System.Text.Json;

var port = Environment.GetEnvironmentVariable("PORT") is { Length: > 0 } p ? p : "8080";
var role = Environment.GetEnvironmentVariable("ROLE") ?? "notification";

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

var seen = new ConcurrentQueue<string>();

app.MapGet("/", () => string.Join('\n', seen) + "\n");

app.MapPost("/", async (HttpContext ctx) =>
{
    var type = ctx.Request.Headers["ce-type"].ToString();
    var id = ctx.Request.Headers["ce-id"].ToString();
    var order = await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Request.Body);
    var orderId = order.TryGetProperty("id", out var v) ? v.ToString() : "?";
    var line = $"{role}: {type} (event {id}) for order {orderId}";
    seen.Enqueue(line);
    Console.WriteLine(line);

    if (role == "inventory" && type == "com.example.order.created")
    {
        // A reply: a new CloudEvent in binary mode. The broker stores it and offers it to every trigger.
        ctx.Response.StatusCode = 200;
        ctx.Response.Headers["ce-specversion"] = "1.0";
        ctx.Response.Headers["ce-id"] = $"reserved-{id}";
        ctx.Response.Headers["ce-source"] = "/inventory";
        ctx.Response.Headers["ce-type"] = "com.example.inventory.reserved";
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(new { id = orderId, reserved = true }));
        return;
    }
    ctx.Response.StatusCode = 202;
});

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"orders ({role}): listening on http://0.0.0.0:{port}"));
app.Run();
