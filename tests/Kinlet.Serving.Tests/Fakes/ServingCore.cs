using System.Net;
using Kinlet.Containers;
using Kinlet.Core.Model;
using Kinlet.Serving.Autoscaler;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Forwarding;
using Kinlet.Serving.Revisions;
using Kinlet.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kinlet.Serving.Tests.Fakes;

/// <summary>
/// The serving layer as kinletd wires it (<see cref="ServingServiceCollectionExtensions.AddKinletServing"/>), with
/// <see cref="FakeContainerRuntime"/> for the engine, a real LiteDB store in a temp directory, short autoscaler
/// and resync settings, and the ingress on Kestrel at 127.0.0.1 port 0. Dispose it to stop everything.
/// </summary>
public sealed class ServingCore : IAsyncDisposable
{
    public const string Domain = "example.test";

    private readonly WebApplication _app;
    private readonly string _stateDir;

    private ServingCore(WebApplication app, FakeContainerRuntime runtime, string stateDir)
    {
        _app = app;
        Runtime = runtime;
        _stateDir = stateDir;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        IngressPort = new Uri(address).Port;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{IngressPort}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public FakeContainerRuntime Runtime { get; }
    public IServiceProvider Services => _app.Services;
    public int IngressPort { get; }
    /// <summary>Talks to the ingress; set the Host with <see cref="HostOf"/> (or use <see cref="GetAsync"/>).</summary>
    public HttpClient Client { get; }
    public ServiceController Controller => Services.GetRequiredService<ServiceController>();
    public RevisionRegistry Registry => Services.GetRequiredService<RevisionRegistry>();
    public IResourceStore Store => Services.GetRequiredService<IResourceStore>();

    /// <param name="configure">Overrides applied after the short test defaults (Serving and Autoscaler options, config keys).</param>
    public static async Task<ServingCore> StartAsync(Action<ServingCoreOptions>? configure = null)
    {
        var settings = new ServingCoreOptions();
        configure?.Invoke(settings);
        var stateDir = Path.Combine(Path.GetTempPath(), "kinlet-core-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(stateDir);
        var runtime = settings.Runtime ?? new FakeContainerRuntime();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = stateDir });
        builder.Logging.ClearProviders();
        if (settings.Logging is { } logging) builder.Logging.AddProvider(logging);
        builder.Configuration.AddInMemoryCollection(settings.Configuration);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));

        builder.Services.AddSingleton<IResourceStore>(_ => LiteDbResourceStore.Open(stateDir));
        builder.Services.AddSingleton<IContainerRuntime>(runtime);
        builder.Services.AddKinletServing();
        builder.Services.PostConfigure<ServingOptions>(o =>
        {
            o.Domain = Domain;
            o.DaemonId = "test" + Guid.NewGuid().ToString("n")[..8];
            o.ResyncInterval = TimeSpan.FromMilliseconds(200);
            o.RestartBackoffInitial = TimeSpan.FromMilliseconds(50);
            o.RestartBackoffMax = TimeSpan.FromMilliseconds(500);
            o.StopGracePeriod = TimeSpan.FromMilliseconds(100);
            o.ProgressDeadline = TimeSpan.FromSeconds(20);
            settings.Serving?.Invoke(o);
        });
        builder.Services.PostConfigure<AutoscalerOptions>(o =>
        {
            o.TickInterval = TimeSpan.FromMilliseconds(200);
            o.StableWindow = TimeSpan.FromSeconds(6);
            o.ScaleToZeroGracePeriod = TimeSpan.FromSeconds(1);
            settings.Autoscaler?.Invoke(o);
        });

        var app = builder.Build();
        var ingress = app.Services.GetRequiredService<IngressHandler>();
        app.Run(async context =>
        {
            if (!await ingress.TryHandleAsync(context))
            {
                // The daemon's own host (DaemonIngress in kinletd): nothing here but a 404.
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await app.StartAsync();
        return new ServingCore(app, runtime, stateDir);
    }

    /// <summary>The Host header of a service in this core's domain.</summary>
    public static string HostOf(string service, string @namespace = "default") => $"{service}.{@namespace}.{Domain}";

    public Task<HttpResponseMessage> GetAsync(string service, string path = "/", CancellationToken cancellationToken = default) =>
        SendAsync(service, HttpMethod.Get, path, cancellationToken);

    public Task<HttpResponseMessage> SendAsync(string service, HttpMethod method, string path = "/", CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = HostOf(service);
        return Client.SendAsync(request, cancellationToken);
    }

    /// <summary>A service with one container (image <paramref name="image"/>); <paramref name="configure"/> edits it before it is created.</summary>
    public static Service NewService(string name, string image = "fake/hello:1", Action<Service>? configure = null)
    {
        var service = new Service
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new ServiceSpec
            {
                Template = new RevisionTemplate
                {
                    Metadata = new ObjectMeta { Annotations = new Dictionary<string, string>() },
                    Spec = new RevisionSpec { Containers = [new Container { Image = image }] },
                },
            },
        };
        configure?.Invoke(service);
        return service;
    }

    public Service Create(Service service) => Controller.CreateAsync(service).GetAwaiter().GetResult();

    /// <summary>The runtime state of a revision (null until the controller made it).</summary>
    public RevisionState? Revision(string name, string @namespace = "default") => Registry.Find(@namespace, name);

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="bound"/> passes (default 30 s); false on timeout.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? bound = null)
    {
        var until = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Asserts that <paramref name="condition"/> comes to hold within a generous bound.</summary>
    public static async Task WaitForAsync(Func<bool> condition, string what, TimeSpan? bound = null)
    {
        if (!await EventuallyAsync(condition, bound)) Assert.Fail("timed out waiting for " + what);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await _app.StopAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            await _app.DisposeAsync();
            await Runtime.DisposeAsync();
            try
            {
                Directory.Delete(_stateDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

public sealed class ServingCoreOptions
{
    public FakeContainerRuntime? Runtime { get; set; }
    public Action<ServingOptions>? Serving { get; set; }
    public Action<AutoscalerOptions>? Autoscaler { get; set; }
    /// <summary>Configuration keys (e.g. <c>Kinlet:Autoscaler:TargetConcurrency</c>), bound as kinletd binds its own.</summary>
    public Dictionary<string, string?> Configuration { get; } = new();
    public ILoggerProvider? Logging { get; set; }
}
