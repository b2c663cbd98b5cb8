using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kinlet.Containers.Tests.Infrastructure;

/// <summary>
/// A hand-written engine on a unix socket, for what the real one cannot be made to do on demand: hang, drop its
/// event stream, fail a pull halfway. Each request goes to <c>handler</c>, which sees the path without the API version.
/// </summary>
public sealed class FakeEngine : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeEngine(WebApplication app, string socket)
    {
        _app = app;
        Socket = socket;
    }

    public string Socket { get; }
    public string DockerHost => "unix://" + Socket;

    public static async Task<FakeEngine> StartAsync(Func<HttpContext, string, Task> handler)
    {
        var socket = Path.Combine(Path.GetTempPath(), $"kinlet-fake-engine-{Guid.NewGuid():N}.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket));
        var app = builder.Build();
        app.Run(context =>
        {
            var path = context.Request.Path.Value ?? "/";
            // "/v1.41/events" and "/events" alike.
            if (path.StartsWith("/v1.", StringComparison.Ordinal)) path = path[path.IndexOf('/', 1)..];
            return handler(context, path);
        });
        await app.StartAsync();
        return new FakeEngine(app, socket);
    }

    /// <summary>Writes newline-delimited JSON and flushes, as the engine streams events and pull progress.</summary>
    public static async Task WriteLinesAsync(HttpResponse response, params string[] lines)
    {
        response.ContentType = "application/json";
        foreach (var line in lines)
        {
            await response.WriteAsync(line + "\n");
            await response.Body.FlushAsync();
        }
    }

    public static Task NotFoundAsync(HttpResponse response, string message)
    {
        response.StatusCode = 404;
        response.ContentType = "application/json";
        return response.WriteAsync("{\"message\":\"" + message + "\"}");
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(bound.Token);
        await _app.DisposeAsync();
        File.Delete(Socket);
    }
}
