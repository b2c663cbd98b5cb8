// The function's host. Kinlet (and Knative) set $PORT; SIGTERM stops it after the requests in flight.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
// One line per log entry (kinlet logs prefixes each with its instance); no per-request framework chatter.
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var app = builder.Build();
app.Map("/{**path}", Handler.HandleAsync);
app.Run();
