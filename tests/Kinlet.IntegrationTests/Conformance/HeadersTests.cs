using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>
/// Knative's MustHaveHeadersSet (the function sees the request's Host and a valid RFC 7239 Forwarded header)
/// and ShouldHaveHeadersSet (user headers verbatim, X-Forwarded-For/Proto, trace context passed through).
/// </summary>
public sealed partial class HeadersTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string UserValue = "Verbatim Value; with=stuff, \"and quotes\"";
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public async Task The_function_sees_host_forwarded_user_forwarded_for_proto_and_trace_headers()
    {
        var created = await Cli("service", "create", "headers", "--image", Images.TestFn);
        Assert.True(created.ExitCode == 0, created.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Daemon.IngressPort}/headers");
        request.Headers.Host = Daemon.Host("headers");
        request.Headers.TryAddWithoutValidation("X-User-Header", UserValue);
        request.Headers.TryAddWithoutValidation("traceparent", TraceParent);
        request.Headers.TryAddWithoutValidation("tracestate", "kinlet=test");
        using var response = await Daemon.Ingress.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Output.WriteLine(text);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = JsonDocument.Parse(text).RootElement;
        var headers = echoed.GetProperty("headers").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);

        // Must: Host as the client sent it, and a Forwarded header that parses per RFC 7239.
        Assert.Equal(Daemon.Host("headers"), echoed.GetProperty("host").GetString());
        Assert.True(headers.TryGetValue("Forwarded", out var forwarded), "no Forwarded header");
        var elements = ParseForwarded(forwarded!);
        var last = elements[^1];
        Assert.Equal("127.0.0.1", last.GetValueOrDefault("for"));
        Assert.Equal(Daemon.Host("headers"), last.GetValueOrDefault("host"));
        Assert.Equal("http", last.GetValueOrDefault("proto"));

        // Should: user headers verbatim, the client's address and scheme, trace context untouched.
        Assert.Equal(UserValue, headers.GetValueOrDefault("X-User-Header"));
        Assert.True(headers.TryGetValue("X-Forwarded-For", out var xff), "no X-Forwarded-For header");
        var addresses = xff!.Split(',', StringSplitOptions.TrimEntries);
        Assert.All(addresses, a => Assert.True(IPAddress.TryParse(a, out _), $"X-Forwarded-For \"{xff}\": \"{a}\" is not an IP address"));
        Assert.Equal("127.0.0.1", addresses[^1]);
        Assert.Equal("http", headers.GetValueOrDefault("X-Forwarded-Proto"));
        Assert.Equal(TraceParent, headers.GetValueOrDefault("traceparent"));
        Assert.Equal("kinlet=test", headers.GetValueOrDefault("tracestate"));
        await Daemon.DeleteServiceAsync(Output, "headers");
    }

    /// <summary>
    /// RFC 7239 section 4: <c>Forwarded = 1#forwarded-element</c>, <c>forwarded-element = [pair] *(";" [pair])</c>,
    /// <c>pair = token "=" value</c>, <c>value = token / quoted-string</c>; parameters are for, by, host, proto
    /// (or extensions), each at most once per element. Fails on anything else; answers the elements' pairs.
    /// </summary>
    private static List<Dictionary<string, string>> ParseForwarded(string header)
    {
        var elements = new List<Dictionary<string, string>>();
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var rest = header;
        while (true)
        {
            var m = Pair().Match(rest);
            Assert.True(m.Success, $"Forwarded \"{header}\" is not RFC 7239 at \"{rest}\"");
            var name = m.Groups["name"].Value;
            var value = m.Groups["quoted"].Success ? QuotedPair().Replace(m.Groups["quoted"].Value, "$1") : m.Groups["token"].Value;
            Assert.True(pairs.TryAdd(name, value), $"Forwarded \"{header}\": {name} twice in one element");
            rest = rest[m.Length..];
            if (rest.Length == 0) break;
            var separator = rest.TrimStart()[0];
            rest = rest.TrimStart()[1..].TrimStart();
            if (separator == ',')
            {
                elements.Add(pairs);
                pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            }
            else Assert.True(separator == ';', $"Forwarded \"{header}\": unexpected '{separator}'");
        }
        elements.Add(pairs);
        foreach (var element in elements)
        {
            if (element.TryGetValue("for", out var node)) AssertNode(header, node);
            if (element.TryGetValue("by", out var by)) AssertNode(header, by);
            if (element.TryGetValue("proto", out var proto))
                Assert.True(Scheme().IsMatch(proto), $"Forwarded \"{header}\": proto \"{proto}\" is not a URI scheme");
        }
        return elements;
    }

    /// <summary>RFC 7239 section 6: an IPv4 address, a bracketed IPv6 one, "unknown" or an obfuscated "_name", optionally with a port.</summary>
    private static void AssertNode(string header, string node)
    {
        var host = node;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            Assert.True(close > 0 && IPAddress.TryParse(host[1..close], out _), $"Forwarded \"{header}\": bad IPv6 node \"{node}\"");
            return;
        }
        if (host.Contains(':')) host = host[..host.IndexOf(':')];
        Assert.True(host == "unknown" || host.StartsWith('_') || IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
            $"Forwarded \"{header}\": bad node \"{node}\"");
    }

    [GeneratedRegex("""^(?<name>[!#$%&'*+.^_`|~0-9A-Za-z-]+)=(?:(?<token>[!#$%&'*+.^_`|~0-9A-Za-z-]+)|"(?<quoted>(?:[^"\\]|\\.)*)")""")]
    private static partial Regex Pair();

    [GeneratedRegex(@"\\(.)")]
    private static partial Regex QuotedPair();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*$")]
    private static partial Regex Scheme();
}
