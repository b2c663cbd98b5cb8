using System.Text;
using CloudNative.CloudEvents;
using Kinlet.Eventing.Ingress;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Eventing.Tests.Ingress;

public sealed class CloudEventReaderTests
{
    private static HttpRequest Request(string? contentType, string body, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = "POST";
        var bytes = Encoding.UTF8.GetBytes(body);
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        if (contentType is not null) request.ContentType = contentType;
        foreach (var (name, value) in headers) request.Headers[name] = value;
        return request;
    }

    private static readonly (string, string)[] Required =
    [
        ("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "/shop"), ("ce-type", "com.example.order.created"),
    ];

    private static Task<IReadOnlyList<CloudEvent>> Read(HttpRequest request, long max = 1024 * 1024) =>
        CloudEventReader.ReadAsync(request, max, CancellationToken.None);

    [Fact]
    public async Task Binary_mode_reads_headers_and_keeps_the_body()
    {
        var e = Assert.Single(await Read(Request("application/json", "{\"id\":1}",
            [.. Required, ("ce-subject", "order%201"), ("ce-myext", "x"), ("ce-knativebrokerttl", "7")])));
        Assert.Equal("1", e.Id);
        Assert.Equal(new Uri("/shop", UriKind.RelativeOrAbsolute), e.Source);
        Assert.Equal("com.example.order.created", e.Type);
        Assert.Equal("order 1", e.Subject);
        Assert.Equal("application/json", e.DataContentType);
        Assert.Equal("{\"id\":1}", Encoding.UTF8.GetString((byte[])e.Data!));
        Assert.Equal("x", e["myext"]);
        Assert.Equal(7, e[CloudEventReader.BrokerTtl]);
    }

    [Fact]
    public async Task Structured_mode()
    {
        var e = Assert.Single(await Read(Request("application/cloudevents+json; charset=utf-8",
            """{"specversion":"1.0","id":"2","source":"/shop","type":"t","datacontenttype":"application/json","data":{"a":1}}""")));
        Assert.Equal("2", e.Id);
        Assert.Equal("t", e.Type);
    }

    [Fact]
    public async Task Batched_mode_reads_every_event()
    {
        var events = await Read(Request("application/cloudevents-batch+json",
            """[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{"specversion":"1.0","id":"2","source":"/s","type":"t"}]"""));
        Assert.Equal(["1", "2"], events.Select(e => e.Id));
    }

    [Theory]
    [InlineData("ce-id", "id")]
    [InlineData("ce-source", "source")]
    [InlineData("ce-type", "type")]
    [InlineData("ce-specversion", "specversion")]
    public async Task A_missing_required_attribute_is_named(string header, string attribute)
    {
        var e = await Assert.ThrowsAsync<InvalidEventException>(() =>
            Read(Request("application/json", "{}", [.. Required.Where(h => h.Item1 != header)])));
        Assert.Equal(attribute, e.Attribute);
    }

    [Fact]
    public async Task Wrong_specversion_is_named()
    {
        var e = await Assert.ThrowsAsync<InvalidEventException>(() =>
            Read(Request("application/json", "{}", [.. Required.Where(h => h.Item1 != "ce-specversion"), ("ce-specversion", "0.3")])));
        Assert.Equal("specversion", e.Attribute);
    }

    [Theory]
    [InlineData("application/cloudevents+json", "{not json")]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","source":"/s","type":"t"}""")]
    [InlineData("application/cloudevents+json", """{"specversion":"2.0","id":"1","source":"/s","type":"t"}""")]
    [InlineData("application/cloudevents-batch+json", "[]")]
    [InlineData("application/cloudevents-batch+json", """[{"specversion":"1.0","id":"1","source":"/s"}]""")]
    public async Task Malformed_structured_and_batched_events_are_400_not_500(string contentType, string body)
    {
        await Assert.ThrowsAsync<InvalidEventException>(() => Read(Request(contentType, body)));
    }

    [Fact]
    public async Task A_bad_time_is_named()
    {
        var e = await Assert.ThrowsAsync<InvalidEventException>(() =>
            Read(Request("application/json", "{}", [.. Required, ("ce-time", "yesterday")])));
        Assert.Equal("time", e.Attribute);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await Assert.ThrowsAsync<EventTooLargeException>(() => Read(Request("application/json", new string('x', 2048), Required), max: 1024));
        var chunked = Request("application/json", new string('x', 2048), Required);
        chunked.ContentLength = null;
        await Assert.ThrowsAsync<EventTooLargeException>(() => Read(chunked, max: 1024));
    }
}
