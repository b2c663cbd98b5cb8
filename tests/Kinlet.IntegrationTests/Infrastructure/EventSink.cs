using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kinlet.IntegrationTests.Infrastructure;

/// <summary>One request a sink received: its path, headers (lower-case names) and body.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? this[string header] => Headers.GetValueOrDefault(header);
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (a free port) that kinletd delivers events to. Records every request by path;
/// answers 202 unless a responder for the path says otherwise.
/// </summary>
public sealed class EventSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<ReceivedRequest, HttpContext, Task>> _responders = new();
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();

    private EventSink(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<EventSink> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var sink = new EventSink(app, port);
        app.Run(sink.HandleAsync);
        await app.StartAsync();
        return sink;
    }

    /// <summary>How requests to <paramref name="path"/> are answered from now on.</summary>
    public void Respond(string path, Func<ReceivedRequest, HttpContext, Task> responder) => _responders[path] = responder;

    public void Respond(string path, int status, string body = "") => Respond(path, async (_, ctx) =>
    {
        ctx.Response.StatusCode = status;
        if (body.Length > 0) await ctx.Response.WriteAsync(body);
    });

    public IReadOnlyList<ReceivedRequest> At(string path) => [.. _received.Where(r => r.Path == path)];

    private async Task HandleAsync(HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer);
        var headers = ctx.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new ReceivedRequest(ctx.Request.Path.Value ?? "/", headers, buffer.ToArray());
        _received.Enqueue(request);
        if (_responders.TryGetValue(request.Path, out var responder)) await responder(request, ctx);
        else ctx.Response.StatusCode = 202;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
