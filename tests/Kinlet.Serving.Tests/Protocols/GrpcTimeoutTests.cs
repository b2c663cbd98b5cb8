using Kinlet.Serving.Protocols;
using Kinlet.Serving.Tests;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.Tests.Protocols;

public sealed class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("5S", 5_000)]
    [InlineData("500m", 500)]
    [InlineData("250000u", 250)]
    [InlineData("10000000n", 10)]
    [InlineData("99999999m", 99_999_999)]
    public void Reads_every_unit(string value, long milliseconds)
    {
        Assert.True(GrpcTimeout.TryParse(value, out var timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), timeout);
    }

    [Fact]
    public void A_few_nanoseconds_are_a_deadline_not_none() =>
        Assert.True(GrpcTimeout.TryParse("1n", out var t) && t > TimeSpan.Zero);

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    public void Refuses_what_the_spec_does_not_allow(string value) => Assert.False(GrpcTimeout.TryParse(value, out _));
}

public sealed class GrpcStatusTests
{
    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Knows_a_grpc_call_by_its_content_type(string? type, bool grpc)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = type;
        Assert.Equal(grpc, GrpcStatus.IsGrpc(context.Request));
    }

    [Theory]
    [InlineData(504, GrpcStatus.DeadlineExceeded)]
    [InlineData(503, GrpcStatus.Unavailable)]
    [InlineData(502, GrpcStatus.Unavailable)]
    [InlineData(404, GrpcStatus.Unimplemented)]
    [InlineData(500, GrpcStatus.Unknown)]
    public void Maps_kinletd_answers_to_grpc_codes(int http, int grpc) => Assert.Equal(grpc, GrpcStatus.FromHttpStatus(http));

    [Fact]
    public void The_message_is_percent_encoded_utf8() =>
        Assert.Equal("50%25 d%C3%A9j%C3%A0 vu%0A!", GrpcStatus.EncodeMessage("50% déjà vu\n!\n"));

    [Fact]
    public async Task Writes_a_trailers_only_answer()
    {
        var context = new DefaultHttpContext();
        await GrpcStatus.WriteAsync(context, 504, "too late");
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/grpc", context.Response.ContentType);
        Assert.Equal("4", context.Response.Headers["grpc-status"]);
        Assert.Equal("too late", context.Response.Headers["grpc-message"]);
    }
}

[Collection(nameof(RequestDeadlinePool))]
public sealed class GrpcDeadlineLimitTests
{
    private static Kinlet.Serving.Revisions.RevisionState Revision() =>
        new(new Kinlet.Serving.Revisions.RevisionKey("default", "g-00001"), new Kinlet.Core.Model.Revision
        {
            Metadata = new Kinlet.Core.Model.ObjectMeta { Name = "g-00001", Namespace = "default" },
            Spec = new Kinlet.Core.Model.RevisionSpec { TimeoutSeconds = 300, Containers = [new Kinlet.Core.Model.Container { Image = "x" }] },
        }, Kinlet.Serving.LoadBalancing.LoadBalancingPolicies.For(0));

    [Fact]
    public void An_earlier_grpc_timeout_becomes_the_limit_and_a_later_one_changes_nothing()
    {
        var revision = Revision();
        var later = Kinlet.Serving.Forwarding.RequestDeadline.Rent(revision, System.Diagnostics.Stopwatch.GetTimestamp());
        later.Limit(TimeSpan.FromHours(1));
        Assert.False(later.LimitedByGrpcTimeout);
        Assert.Equal(TimeSpan.FromSeconds(300), later.Total);
        later.Return();

        var earlier = Kinlet.Serving.Forwarding.RequestDeadline.Rent(revision, System.Diagnostics.Stopwatch.GetTimestamp());
        earlier.Limit(TimeSpan.FromSeconds(20));
        Assert.True(earlier.LimitedByGrpcTimeout);
        Assert.True(earlier.Total < TimeSpan.FromSeconds(300));
        Assert.True(earlier.ResponseStartLimit <= earlier.Total);
        earlier.Return();

        var none = Kinlet.Serving.Forwarding.RequestDeadline.Rent(revision, System.Diagnostics.Stopwatch.GetTimestamp());
        none.Limit(TimeSpan.Zero);
        Assert.True(none.IsCancellationRequested);
        none.Return();
    }
}
