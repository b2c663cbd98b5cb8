using System.Net;
using Kinlet.Serving.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.Tests;

public sealed class ForwardedHeadersTransformerTests
{
    private static async Task<HttpRequestMessage> Transform(string remote, string host, string scheme = "http", string? existingFor = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Request.Method = "GET";
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        if (existingFor is not null) context.Request.Headers["X-Forwarded-For"] = existingFor;
        var proxied = new HttpRequestMessage();
        await ForwardedHeadersTransformer.Instance.TransformRequestAsync(context, proxied, "http://127.0.0.1:1", CancellationToken.None);
        return proxied;
    }

    private static string Header(HttpRequestMessage m, string name) => string.Join(",", m.Headers.GetValues(name));

    [Fact]
    public async Task Adds_the_forwarded_headers_and_keeps_the_host()
    {
        var m = await Transform("203.0.113.7", "hello.localhost:8080");
        Assert.Equal("hello.localhost:8080", m.Headers.Host);
        Assert.Equal("203.0.113.7", Header(m, "X-Forwarded-For"));
        Assert.Equal("http", Header(m, "X-Forwarded-Proto"));
        Assert.Equal("hello.localhost:8080", Header(m, "X-Forwarded-Host"));
        Assert.Equal("for=203.0.113.7;host=\"hello.localhost:8080\";proto=http", Header(m, "Forwarded"));
    }

    [Fact]
    public async Task Reused_values_follow_a_change_of_host_scheme_or_address()
    {
        await Transform("198.51.100.1", "a.localhost");
        Assert.Equal("for=198.51.100.1;host=b.localhost;proto=http", Header(await Transform("198.51.100.1", "b.localhost"), "Forwarded"));
        Assert.Equal("for=198.51.100.1;host=b.localhost;proto=https", Header(await Transform("198.51.100.1", "b.localhost", "https"), "Forwarded"));
        Assert.Equal("for=\"[2001:db8::1]\";host=b.localhost;proto=http", Header(await Transform("2001:db8::1", "b.localhost"), "Forwarded"));
        Assert.Equal("for=198.51.100.1;host=b.localhost;proto=http", Header(await Transform("198.51.100.1", "b.localhost"), "Forwarded"));
    }

    [Fact]
    public async Task An_ipv4_client_on_a_dual_mode_socket_is_written_as_ipv4()
    {
        var m = await Transform("::ffff:192.0.2.9", "hello.localhost");
        Assert.Equal("192.0.2.9", Header(m, "X-Forwarded-For"));
        Assert.Equal("for=192.0.2.9;host=hello.localhost;proto=http", Header(m, "Forwarded"));
    }

    [Fact]
    public async Task Appends_the_client_to_an_existing_forwarded_for()
    {
        var m = await Transform("192.0.2.10", "hello.localhost", existingFor: "10.0.0.1");
        Assert.Equal("10.0.0.1, 192.0.2.10", Header(m, "X-Forwarded-For"));
    }
}
