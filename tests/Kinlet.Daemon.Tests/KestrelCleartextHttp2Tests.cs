using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Kinlet.Daemon.Tests;

/// <summary>
/// Why kinletd has a second ingress port for h2c (docs/design-notes.md, "Protocols: the port contract"): on a
/// cleartext endpoint Kestrel's Http1AndHttp2 answers HTTP/1.1 and refuses prior-knowledge HTTP/2; an Http2-only
/// endpoint takes it. If Kestrel ever learns to sniff the preface, the first assert fails and the choice can be revisited.
/// </summary>
public sealed class KestrelCleartextHttp2Tests
{
    [Fact]
    public async Task Http1AndHttp2_without_tls_speaks_only_http1_and_an_http2_endpoint_takes_prior_knowledge()
    {
        Assert.False(await TakesPriorKnowledgeAsync(HttpProtocols.Http1AndHttp2));
        Assert.True(await TakesPriorKnowledgeAsync(HttpProtocols.Http2));
    }

    private static async Task<bool> TakesPriorKnowledgeAsync(HttpProtocols protocols)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = protocols));
        await using var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(context.Request.Protocol));
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, address)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            try
            {
                using var response = await client.SendAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
                return response.Version == HttpVersion.Version20 && await response.Content.ReadAsStringAsync() == "HTTP/2";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
