// The function's host. Kinlet (and Knative) set $PORT; SIGTERM stops it after the requests in flight.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");

var app = builder.Build();
app.Map("/{**path}", Handler.HandleAsync);
app.Run();
