using System.Collections.Concurrent;
using System.Net;
using CloudNative.CloudEvents;
using Kinlet.Core.Model;
using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Dispatcher;
using Kinlet.Eventing.Ingress;
using Kinlet.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kinlet.Eventing.Tests.Core;

/// <summary>One attempt as the subscriber saw it: path, event id, and the clock's time then.</summary>
public sealed record Received(string Path, string Id, DateTimeOffset At, IHeaderDictionary Headers);

/// <summary>
/// A real HTTP subscriber on Kestrel (127.0.0.1, port 0); <see cref="Answer"/> decides each status (it may wait,
/// to hold a delivery in flight). Every attempt is recorded in arrival order.
/// </summary>
public sealed class Subscriber : IAsyncDisposable
{
    private readonly WebApplication _app;
    public ConcurrentQueue<Received> Attempts { get; } = new();
    public Func<Received, CancellationToken, Task<int>> Answer { get; set; } = (_, _) => Task.FromResult(202);
    public string Url { get; }

    private Subscriber(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<Subscriber> StartAsync(TimeProvider time)
    {
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = b.Build();
        Subscriber? self = null;
        app.Run(async ctx =>
        {
            var r = new Received(ctx.Request.Path, ctx.Request.Headers["ce-id"].ToString(), time.GetUtcNow(),
                // A copy: Kestrel reuses the request's header collection once the request ends.
                new HeaderDictionary(ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)));
            self!.Attempts.Enqueue(r);
            ctx.Response.StatusCode = await self.Answer(r, ctx.RequestAborted);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new Subscriber(app, url);
        return self;
    }

    public IReadOnlyList<Received> At(string path) => [.. Attempts.Where(a => a.Path == path)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The eventing layer through <c>AddKinletEventing()</c>, wired as src/Kinlet.Daemon/Program.cs wires it, over a
/// LiteDB resource store in a temp dir and a hand-written in-memory event log (kept across <see cref="RestartAsync"/>,
/// so a test can kill the dispatcher and resume from what it committed).
/// </summary>
public sealed class EventingCore : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kinlet-eventing-").FullName;
    private IHost? _host;
    private LiteDbResourceStore? _store;

    public TimeProvider Time { get; }
    public InMemoryEventLog Log { get; }

    public EventingCore(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Log = new InMemoryEventLog(Time);
    }

    public IServiceProvider Services => _host!.Services;

    public async Task StartAsync()
    {
        var b = Host.CreateApplicationBuilder();
        b.Logging.ClearProviders();
        _store ??= LiteDbResourceStore.Open(_dir);
        var store = _store;
        b.Services.AddSingleton(Time);
        b.Services.AddSingleton<IResourceStore>(store);
        b.Services.AddSingleton<Kinlet.Store.Events.IEventLog>(Log);
        b.Services.AddSingleton<Kinlet.Store.Events.IDeliveryStore>(Log);
        b.Services.AddKinletEventing();
        _host = b.Build();
        await _host.StartAsync();
    }

    /// <summary>Stops the whole layer (dispatchers stop as on a daemon shutdown) and builds it again on the same log and store.</summary>
    public async Task RestartAsync()
    {
        await _host!.StopAsync();
        _host.Dispose();
        await StartAsync();
    }

    public async Task ApplyAsync(string subscriberUri, DeliverySpec? delivery = null, string trigger = "t")
    {
        Services.GetRequiredService<BrokerController>().Apply(new Broker { Metadata = new ObjectMeta { Name = "b" } }, "default");
        await Services.GetRequiredService<TriggerController>().ApplyAsync(new Trigger
        {
            Metadata = new ObjectMeta { Name = trigger },
            Spec = new TriggerSpec { Broker = "b", Subscriber = new Destination { Uri = subscriberUri }, Delivery = delivery },
        }, "default", CancellationToken.None);
        // Events before the dispatcher loaded would be skipped (a new trigger starts at the end of the log).
        await Until(() => Dispatcher(trigger)?.Cursor is not null);
    }

    public TriggerDispatcher? Dispatcher(string trigger = "t") =>
        Services.GetRequiredService<TriggerCounters>().Running("default", trigger);

    public Task PublishAsync(params string[] ids) =>
        Services.GetRequiredService<EventPublisher>().PublishAsync("default", "b",
            [.. ids.Select(id => new CloudEvent { Id = id, Source = new Uri("urn:test"), Type = "dev.kinlet.test" })], CancellationToken.None);

    /// <summary>
    /// Waits for <paramref name="condition"/> (bounded at 20 s of real time, a failure, never a measurement); with a
    /// fake clock, moves it on by <paramref name="step"/> each round so retries fall due.
    /// </summary>
    public async Task Until(Func<bool> condition, TimeSpan? step = null)
    {
        var bound = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > bound) throw new TimeoutException("the condition did not hold within 20 s");
            if (step is { } s && Time is Microsoft.Extensions.Time.Testing.FakeTimeProvider fake) fake.Advance(s);
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        _store?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
