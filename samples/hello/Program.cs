// samples/hello: the function a new Kinlet user deploys first.
// Answers "Hello {TARGET}!" at any path; TARGET defaults to World.
// Listens on http://0.0.0.0:$PORT (PORT defaults to 8080), as Knative's runtime contract asks.
// SIGTERM stops it gracefully: in-flight requests finish first (ASP.NET Core's default).

var port = Environment.GetEnvironmentVariable("PORT") is { Length: > 0 } p ? p : "8080";
var target = Environment.GetEnvironmentVariable("TARGET") is { Length: > 0 } t ? t : "World";

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var app = builder.Build();

var greeting = System.Text.Encoding.UTF8.GetBytes($"Hello {target}!\n");
app.Run(context =>
{
    context.Response.ContentType = "text/plain; charset=utf-8";
    context.Response.ContentLength = greeting.Length;
    return context.Response.Body.WriteAsync(greeting).AsTask();
});

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"hello: listening on http://0.0.0.0:{port} (TARGET={target})"));

app.Run();
