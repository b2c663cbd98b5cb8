using Kinlet.Eventing;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Kinlet.Containers;
using Kinlet.Daemon.Api;
using Kinlet.Daemon.Builds;
using Kinlet.Daemon.Configuration;
using Kinlet.Daemon.Ingress;
using Kinlet.Serving;
using Kinlet.Serving.Forwarding;
using Kinlet.Store;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

if (DaemonConfiguration.WantsHelp(args))
{
    Console.WriteLine(DaemonConfiguration.Usage);
    return 0;
}
if (DaemonConfiguration.WantsVersion(args))
{
    Console.WriteLine("kinletd " + DaemonVersion.Current);
    return 0;
}

// Socket completions run on the I/O threads instead of hopping to the thread pool: the proxy hop's read-forward-
// write chain never blocks, and the hop to the pool cost about a quarter of kinletd's CPU per proxied request
// (bench/warm.sh, 0.34x -> 0.47-0.52x direct at 32 connections). The runtime reads it once, before the first
// socket, so it is set here; an explicit DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 keeps it off. Blocking
// work after a socket await (store writes after engine calls and probes) moves to the thread pool first
// (Kinlet.Containers' ThreadPoolReturn).
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null) Environment.SetEnvironmentVariable(InlineCompletions, "1");

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddKinletSources(args);
var daemon = builder.Configuration.GetSection(DaemonOptions.Section).Get<DaemonOptions>() ?? new DaemonOptions();

var logConfig = new LoggerConfiguration()
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
    .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
    .MinimumLevel.Override("Yarp", LogEventLevel.Warning)
    .Enrich.FromLogContext();
// The request path must never wait for the console: log through a bounded buffer that drops rather than blocks.
logConfig = string.Equals(builder.Configuration["Kinlet:LogFormat"], "json", StringComparison.OrdinalIgnoreCase)
    ? logConfig.WriteTo.Async(a => a.Console(new RenderedCompactJsonFormatter()), bufferSize: 10_000, blockWhenFull: false)
    : logConfig.WriteTo.Async(a => a.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}"),
        bufferSize: 10_000, blockWhenFull: false);
Log.Logger = logConfig.CreateLogger();

try
{
    if (daemon.ApiPort == daemon.IngressPort)
        throw new InvalidOperationException($"--api-port and --ingress-port must differ (both are {daemon.ApiPort})");
    if (daemon.IngressH2cPort is < 0 or > 65535)
        throw new InvalidOperationException($"--ingress-h2c-port must be 0 (off) or a port (was {daemon.IngressH2cPort})");
    if (daemon.IngressH2cPort != 0 && (daemon.IngressH2cPort == daemon.ApiPort || daemon.IngressH2cPort == daemon.IngressPort))
        throw new InvalidOperationException($"--ingress-h2c-port ({daemon.IngressH2cPort}) must differ from --api-port and --ingress-port");
    var state = new StateDirectory(daemon.StateDir ?? DaemonOptions.DefaultStateDir());

    builder.Services.AddSerilog();
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.AddServerHeader = false;
        // Functions take whatever bodies they take; the control API bounds its own.
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.Listen(IPAddress.Parse(daemon.ApiAddress), daemon.ApiPort);
        ListenIngress(kestrel, daemon.IngressAddress, daemon.IngressPort, HttpProtocols.Http1);
        // Without TLS there is no ALPN, and Kestrel's Http1AndHttp2 then speaks HTTP/1.1 only: prior-knowledge
        // HTTP/2 (gRPC) needs an endpoint of its own.
        if (daemon.IngressH2cPort != 0) ListenIngress(kestrel, daemon.IngressAddress, daemon.IngressH2cPort, HttpProtocols.Http2);
    });

    builder.Services.AddSingleton(state);
    builder.Services.AddKinletStore(state.Path);
    builder.Services.AddDockerContainerRuntime(o => o.DockerHost = daemon.DockerHost);
    builder.Services.AddKinletServing();
    builder.Services.PostConfigure<ServingOptions>(o =>
    {
        o.Domain = daemon.Domain;
        o.IngressPort = daemon.IngressPort;
        o.IngressH2cPort = daemon.IngressH2cPort;
        o.DaemonId = state.DaemonId;
    });
    builder.Services.AddKinletEventing();
    builder.Services.PostConfigure<Kinlet.Eventing.EventingOptions>(o =>
    {
        o.IngressPort = daemon.IngressPort;
        o.Domain = daemon.Domain;
        // Deliveries to services dial the ingress itself; a wildcard listener answers on loopback.
        if (daemon.IngressAddress is not ("*" or "" or "0.0.0.0" or "::")) o.IngressConnectAddress = daemon.IngressAddress;
    });

    var app = builder.Build();
    // Every layer's settings at once (ValidateOnStart), before anything below reads one of them and fails alone.
    app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();

    // The ingress port never reaches the control API: requests are split by the port they arrived on.
    var ingress = app.Services.GetRequiredService<IngressHandler>();
    var brokerIngress = app.Services.GetRequiredService<Kinlet.Eventing.Ingress.BrokerIngress>();
    var ingressPort = daemon.IngressPort;
    var h2cPort = daemon.IngressH2cPort;
    app.Use(next => async context =>
    {
        var port = context.Connection.LocalPort;
        if (port == ingressPort || (port == h2cPort && port != 0))
        {
            // A service's host goes to the router; the daemon's own host (localhost:8080) to a broker's ingress.
            if (!await ingress.TryHandleAsync(context) && !await brokerIngress.TryHandleAsync(context))
                await DaemonIngress.HandleAsync(context);
            return;
        }
        await next(context);
    });
    app.UseRouting();
    app.Use(ApiErrors.HandleAsync);
    app.UseMiddleware<TokenAuthMiddleware>();
    app.MapControlApi();
    app.MapBuildApi();

    Log.Information("kinletd {Version}: state {StateDir}, API http://{ApiAddress}:{ApiPort}, ingress :{IngressPort}, h2c ingress :{IngressH2cPort}, domain {Domain}",
        DaemonVersion.Current, state.Path, daemon.ApiAddress, daemon.ApiPort, daemon.IngressPort,
        daemon.IngressH2cPort == 0 ? "off" : daemon.IngressH2cPort.ToString(System.Globalization.CultureInfo.InvariantCulture), daemon.Domain);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (SettingErrors(e) is { Count: > 0 } errors)
{
    // A bad setting (ValidateOnStart, or an options value read while wiring up): one line each, naming it; exit 2.
    foreach (var error in errors) await Console.Error.WriteLineAsync("kinletd: " + error);
    return 2;
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Log.Fatal(e, "kinletd could not run: {Error}", e.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

static void ListenIngress(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string address, int port, HttpProtocols protocols)
{
    if (address is "*" or "") kestrel.ListenAnyIP(port, o => o.Protocols = protocols);
    else kestrel.Listen(IPAddress.Parse(address), port, o => o.Protocols = protocols);
}

static IReadOnlyList<string> SettingErrors(Exception e) => e switch
{
    Microsoft.Extensions.Options.OptionsValidationException v => [.. v.Failures],
    AggregateException a when a.InnerExceptions.All(i => i is Microsoft.Extensions.Options.OptionsValidationException) =>
        [.. a.InnerExceptions.SelectMany(i => ((Microsoft.Extensions.Options.OptionsValidationException)i).Failures)],
    _ => [],
};
