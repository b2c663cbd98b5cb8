using Kinlet.Core.Model;
using Kinlet.Serving.TrafficPolicy.Resilience;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Serving.Tests.TrafficPolicy;

/// <summary>Dice that return a fixed sequence, round and round.</summary>
internal sealed class FixedRandom(params double[] values) : IRandomSource
{
    private int _next;

    public double NextDouble() => values[_next++ % values.Length];
}

/// <summary>Evenly spread dice: i/n for i = 0..n-1, so a share of p % hits exactly p % of n draws.</summary>
internal sealed class SweepRandom(int n) : IRandomSource
{
    private int _i;

    public double NextDouble() => (double)(_i++ % n) / n;
}

public sealed class RetryPolicyTests
{
    [Fact]
    public void Without_retryOn_only_connection_failures_are_retried()
    {
        var p = RetryPolicy.From(2, null, null, allowNonIdempotent: false);
        Assert.True(p.ShouldRetry(TryOutcome.ConnectFailure, 0, "GET", 1));
        Assert.True(p.ShouldRetry(TryOutcome.RefusedStream, 0, "GET", 1));
        Assert.True(p.ShouldRetry(TryOutcome.Reset, 0, "GET", 1));
        Assert.False(p.ShouldRetry(TryOutcome.Status, 503, "GET", 1));
        Assert.False(p.ShouldRetry(TryOutcome.Status, 500, "GET", 1));
        Assert.False(p.ShouldRetry(TryOutcome.PerTryTimeout, 0, "GET", 1));
        Assert.False(p.RetriesStatusAtAll);
    }

    [Fact]
    public void Attempts_bound_the_tries()
    {
        var p = RetryPolicy.From(2, null, null, false);
        Assert.True(p.ShouldRetry(TryOutcome.Reset, 0, "GET", 2));
        Assert.False(p.ShouldRetry(TryOutcome.Reset, 0, "GET", 3));
        Assert.Equal(2, RetryPolicy.From(null, null, null, false).Attempts);
    }

    [Theory]
    [InlineData("5xx", 500, true)]
    [InlineData("5xx", 503, true)]
    [InlineData("5xx", 404, false)]
    [InlineData("gateway-error", 502, true)]
    [InlineData("gateway-error", 500, false)]
    [InlineData("503", 503, true)]
    [InlineData("503", 502, false)]
    [InlineData("retriable-status-codes,429", 429, true)]
    [InlineData("connect-failure", 503, false)]
    public void Statuses_are_opt_in(string retryOn, int status, bool retried) =>
        Assert.Equal(retried, RetryPolicy.From(1, null, retryOn, false).ShouldRetry(TryOutcome.Status, status, "GET", 1));

    [Fact]
    public void Per_try_timeout_counts_as_504()
    {
        Assert.True(RetryPolicy.From(1, null, "gateway-error", false).ShouldRetry(TryOutcome.PerTryTimeout, 0, "GET", 1));
        Assert.False(RetryPolicy.From(1, null, "reset", false).ShouldRetry(TryOutcome.PerTryTimeout, 0, "GET", 1));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("CONNECT")]
    public void Non_idempotent_methods_are_resent_only_when_the_function_cannot_have_seen_them(string method)
    {
        var p = RetryPolicy.From(2, null, "5xx,reset,connect-failure,refused-stream", false);
        Assert.True(p.ShouldRetry(TryOutcome.ConnectFailure, 0, method, 1));
        Assert.True(p.ShouldRetry(TryOutcome.RefusedStream, 0, method, 1));
        Assert.False(p.ShouldRetry(TryOutcome.Reset, 0, method, 1));
        Assert.False(p.ShouldRetry(TryOutcome.Status, 503, method, 1));
        Assert.False(p.ShouldRetry(TryOutcome.PerTryTimeout, 0, method, 1));
    }

    [Fact]
    public void The_annotation_lets_POST_be_resent()
    {
        var p = RetryPolicy.From(2, null, "5xx,reset", allowNonIdempotent: true);
        Assert.True(p.ShouldRetry(TryOutcome.Reset, 0, "POST", 1));
        Assert.True(p.ShouldRetry(TryOutcome.Status, 503, "PATCH", 1));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    public void Idempotent_methods_follow_RFC_9110(string method, bool idempotent) =>
        Assert.Equal(idempotent, RetryPolicy.IsIdempotent(method));

    [Fact]
    public void Describe_lists_what_is_applied() =>
        Assert.Equal("attempts 3 on reset,gateway-error,503 perTry 500ms",
            RetryPolicy.From(3, TimeSpan.FromMilliseconds(500), "reset,gateway-error,503", false).Describe());
}

public sealed class RetryBudgetTests
{
    [Fact]
    public void At_least_three_concurrent_retries()
    {
        var b = new RetryBudget();
        b.RequestStarted();
        Assert.True(b.TryStartRetry());
        Assert.True(b.TryStartRetry());
        Assert.True(b.TryStartRetry());
        Assert.False(b.TryStartRetry());
        b.RetryFinished();
        Assert.True(b.TryStartRetry());
    }

    [Fact]
    public void Twenty_percent_of_active_requests()
    {
        var b = new RetryBudget();
        for (var i = 0; i < 50; i++) b.RequestStarted();
        Assert.Equal(10, b.Limit);
        var granted = 0;
        while (b.TryStartRetry()) granted++;
        Assert.Equal(10, granted);
    }

    [Fact]
    public void Max_retries_caps_the_budget()
    {
        var b = new RetryBudget(maxRetries: 1);
        for (var i = 0; i < 50; i++) b.RequestStarted();
        Assert.True(b.TryStartRetry());
        Assert.False(b.TryStartRetry());
    }
}

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(1, 25)]
    [InlineData(2, 75)]
    [InlineData(3, 175)]
    [InlineData(4, 250)]
    [InlineData(10, 250)]
    public void Full_jitter_under_an_exponential_ceiling_capped_at_250ms(int retry, int ceilingMs)
    {
        Assert.Equal(TimeSpan.Zero, RetryBackoff.Delay(retry, new FixedRandom(0)));
        Assert.Equal(TimeSpan.FromMilliseconds(ceilingMs / 2.0), RetryBackoff.Delay(retry, new FixedRandom(0.5)));
        Assert.True(RetryBackoff.Delay(retry, new FixedRandom(0.99)) < TimeSpan.FromMilliseconds(ceilingMs));
    }
}

public sealed class FaultStepTests
{
    [Theory]
    [InlineData(10, 1000, 100)]
    [InlineData(0.5, 1000, 5)]
    [InlineData(0, 1000, 0)]
    [InlineData(100, 1000, 1000)]
    public void Abort_share_is_the_percentage(double percent, int requests, int expected)
    {
        var step = new FaultStep(TimeSpan.Zero, 0, 503, null, percent);
        var random = new SweepRandom(requests);
        var aborted = 0;
        for (var i = 0; i < requests; i++)
            if (step.Decide(random).Abort) aborted++;
        Assert.Equal(expected, aborted);
    }

    [Fact]
    public void Delay_and_abort_are_drawn_independently()
    {
        var step = new FaultStep(TimeSpan.FromMilliseconds(100), 50, 500, null, 50);
        Assert.Equal(new FaultDecision(TimeSpan.FromMilliseconds(100), false), step.Decide(new FixedRandom(0.1, 0.9)));
        Assert.Equal(new FaultDecision(TimeSpan.Zero, true), step.Decide(new FixedRandom(0.9, 0.1)));
    }

    [Fact]
    public void Unset_percentage_injects_nothing()
    {
        var fault = RuleResilience.From(new HttpRoute
        {
            Fault = new HttpFaultInjection { Abort = new FaultAbort { HttpStatus = 503 }, Delay = new FaultDelay { FixedDelay = "1s" } },
        }, "r", null)!.Fault!;
        for (var i = 0; i < 100; i++) Assert.Equal(default, fault.Decide(new FixedRandom(0)));
    }

    [Fact]
    public async Task Abort_is_answered_with_Envoys_body()
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        await new FaultStep(TimeSpan.Zero, 0, 418, null, 100).WriteAbortAsync(context);
        Assert.Equal(418, context.Response.StatusCode);
        Assert.Equal("fault filter abort", System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task Grpc_abort_is_trailers_only()
    {
        var context = new DefaultHttpContext();
        await new FaultStep(TimeSpan.Zero, 0, 0, FaultStep.GrpcCode("UNAVAILABLE"), 100).WriteAbortAsync(context);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("14", context.Response.Headers["grpc-status"]);
        Assert.Equal("application/grpc", context.Response.ContentType);
    }
}

public sealed class CorsStepTests
{
    private static CorsStep Step(bool ignore = false) => new(
        [OriginMatch.Exact("https://app.local"), OriginMatch.Prefix("https://dev."), OriginMatch.Pattern(@"https://[a-z]+\.example\.com")],
        ["GET", "POST"], ["content-type", "x-token"], ["x-request-id"], TimeSpan.FromHours(24), allowCredentials: true, ignore);

    private static HttpRequest Request(string method, string? origin, bool preflight)
    {
        var c = new DefaultHttpContext();
        c.Request.Method = method;
        if (origin is not null) c.Request.Headers.Origin = origin;
        if (preflight) c.Request.Headers.AccessControlRequestMethod = "POST";
        return c.Request;
    }

    [Theory]
    [InlineData("https://app.local", true)]
    [InlineData("https://app.local.evil", false)]
    [InlineData("https://dev.anything", true)]
    [InlineData("https://shop.example.com", true)]
    [InlineData("https://shop.example.com.evil", false)]
    [InlineData("http://app.local", false)]
    public void Origins_exact_prefix_and_whole_value_regex(string origin, bool allowed) => Assert.Equal(allowed, Step().Allows(origin));

    [Fact]
    public void Preflight_from_an_allowed_origin_is_answered_with_every_header()
    {
        var step = Step();
        Assert.Equal(CorsAction.AnswerPreflight, step.Decide(Request("OPTIONS", "https://app.local", true), out var origin));
        var response = new DefaultHttpContext().Response;
        step.WritePreflight(response, origin!);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("https://app.local", response.Headers.AccessControlAllowOrigin);
        Assert.Equal("GET,POST", response.Headers.AccessControlAllowMethods);
        Assert.Equal("content-type,x-token", response.Headers.AccessControlAllowHeaders);
        Assert.Equal("86400", response.Headers.AccessControlMaxAge);
        Assert.Equal("true", response.Headers.AccessControlAllowCredentials);
    }

    [Fact]
    public void Unmatched_origin_gets_no_headers_and_its_preflight_is_forwarded_unless_IGNORE()
    {
        Assert.Equal(CorsAction.Forward, Step().Decide(Request("OPTIONS", "https://evil", true), out var o));
        Assert.Null(o);
        Assert.Equal(CorsAction.AnswerEmpty, Step(ignore: true).Decide(Request("OPTIONS", "https://evil", true), out _));
        Assert.Equal(CorsAction.Forward, Step().Decide(Request("GET", "https://evil", false), out _));
        Assert.Equal(CorsAction.Forward, Step().Decide(Request("GET", null, false), out _));
    }

    [Fact]
    public void Actual_request_from_an_allowed_origin_gets_origin_credentials_and_exposed_headers()
    {
        var step = Step();
        Assert.Equal(CorsAction.ForwardWithHeaders, step.Decide(Request("POST", "https://dev.x", false), out var origin));
        IHeaderDictionary headers = new HeaderDictionary { ["Access-Control-Allow-Origin"] = "*" };
        step.ApplyToResponse(headers, origin!);
        Assert.Equal("https://dev.x", headers.AccessControlAllowOrigin);
        Assert.Equal("x-request-id", headers.AccessControlExposeHeaders);
        Assert.Equal("true", headers.AccessControlAllowCredentials);
        Assert.Equal("Origin", headers.Vary);
    }

    [Fact]
    public void OPTIONS_without_request_method_is_not_a_preflight() =>
        Assert.Equal(CorsAction.ForwardWithHeaders, Step().Decide(Request("OPTIONS", "https://app.local", false), out _));
}

public sealed class MirrorGateTests
{
    [Theory]
    [InlineData("web.localhost", "web.localhost-shadow")]
    [InlineData("web.localhost:8080", "web.localhost-shadow:8080")]
    [InlineData("web", "web-shadow")]
    [InlineData("[::1]:8080", "[::1]-shadow:8080")]
    public void Shadow_host_suffix_goes_before_the_port(string host, string shadow) => Assert.Equal(shadow, MirrorGate.ShadowHost(host));

    [Fact]
    public void Over_the_bound_a_copy_is_dropped()
    {
        var gate = new MirrorGate(2);
        Assert.True(gate.TryEnter());
        Assert.True(gate.TryEnter());
        Assert.False(gate.TryEnter());
        Assert.Equal(2, gate.InFlight);
        gate.Exit();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public void Mirror_percentage_defaults_to_all()
    {
        var r = RuleResilience.From(new HttpRoute { Mirror = new IstioDestination { Host = "web", Subset = "v2" } }, "r", null)!;
        Assert.Equal(100, r.Mirrors[0].Percent);
        var r2 = RuleResilience.From(new HttpRoute
        {
            Mirror = new IstioDestination { Host = "web" },
            MirrorPercentage = new IstioPercent { Value = 5 },
            Mirrors = [new HttpMirrorPolicy { Destination = new IstioDestination { Host = "other" }, Percentage = new IstioPercent { Value = 1 } }],
        }, "r", null)!;
        Assert.Equal([5.0, 1.0], r2.Mirrors.Select(m => m.Percent));
    }
}

public sealed class ConnectionPoolLimitsTests
{
    [Fact]
    public void Max_requests_overflows_at_once_and_frees_on_exit()
    {
        var p = new ConnectionPoolLimits(maxRequests: 2, maxPending: 0, maxRequestsPerConnection: 0, maxRetries: 0);
        Assert.Equal(PoolOverflow.None, p.TryEnter(0));
        Assert.Equal(PoolOverflow.None, p.TryEnter(0));
        Assert.Equal(PoolOverflow.MaxRequests, p.TryEnter(0));
        p.Exit();
        Assert.Equal(PoolOverflow.None, p.TryEnter(0));
        Assert.Contains("http2MaxRequests (2)", p.Reason(PoolOverflow.MaxRequests));
    }

    [Fact]
    public void Max_pending_is_the_activator_queue_depth()
    {
        var p = new ConnectionPoolLimits(0, maxPending: 3, 0, 0);
        Assert.Equal(PoolOverflow.None, p.TryEnter(2));
        Assert.Equal(PoolOverflow.MaxPending, p.TryEnter(3));
        Assert.Equal(1, p.InFlight);
    }

    [Fact]
    public void From_a_destination_rule()
    {
        var d = DestinationResilience.From(new IstioTrafficPolicy
        {
            ConnectionPool = new ConnectionPoolSettings { Http = new HttpSettings { Http2MaxRequests = 10, MaxRequestsPerConnection = 1, MaxRetries = 2 } },
        }, TimeProvider.System)!;
        Assert.Equal(10, d.Pool!.MaxRequests);
        Assert.Equal(long.MaxValue, d.Pool.MaxPending);
        Assert.True(d.Pool.CloseEachConnection);
        Assert.Equal(2, d.Pool.MaxRetries);
        Assert.Null(d.Outliers);
        Assert.Null(DestinationResilience.From(new IstioTrafficPolicy(), TimeProvider.System));
    }
}

public sealed class OutlierDetectorTests
{
    private static (Revisions.RevisionState, Revisions.InstanceState[]) Pool(int n)
    {
        var rev = InstanceStateTests.Revision();
        var instances = new Revisions.InstanceState[n];
        for (var i = 0; i < n; i++) instances[i] = InstanceStateTests.ReadyInstance(rev, 1000 + i);
        return (rev, instances);
    }

    private static OutlierDetector Detector(FakeTimeProvider time, int max = 10, int minHealth = 0, long c5xx = 5, long gw = 0) =>
        new(c5xx, gw, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), max, minHealth, time);

    private static bool Fail(OutlierDetector d, Revisions.RevisionState rev, Revisions.InstanceState i, int times, int status = 500)
    {
        var ejected = false;
        for (var k = 0; k < times; k++) ejected |= d.Report(i, status, rev.Ready);
        return ejected;
    }

    [Fact]
    public void Five_consecutive_5xx_eject_one_of_three_even_at_ten_percent()
    {
        var time = new FakeTimeProvider();
        var (rev, pool) = Pool(3);
        var d = Detector(time);
        Assert.False(Fail(d, rev, pool[0], 4));
        Assert.False(d.IsEjected(pool[0]));
        Assert.True(Fail(d, rev, pool[0], 1));
        Assert.True(d.IsEjected(pool[0]));
        Assert.Equal(1, d.Ejections);
        // 10 % of 3 allows the one, not a second.
        Assert.False(Fail(d, rev, pool[1], 10));
        Assert.False(d.IsEjected(pool[1]));
    }

    [Fact]
    public void A_success_resets_the_run()
    {
        var time = new FakeTimeProvider();
        var (rev, pool) = Pool(2);
        var d = Detector(time);
        Fail(d, rev, pool[0], 4);
        d.Report(pool[0], 200, rev.Ready);
        Assert.False(Fail(d, rev, pool[0], 4));
        Assert.True(Fail(d, rev, pool[0], 1));
    }

    [Fact]
    public void The_last_instance_in_the_balancer_is_never_ejected()
    {
        var time = new FakeTimeProvider();
        var (rev, pool) = Pool(2);
        var d = Detector(time, max: 100);
        Assert.True(Fail(d, rev, pool[0], 5));
        Assert.False(Fail(d, rev, pool[1], 50));
        Assert.False(d.IsEjected(pool[1]));
        var (rev1, single) = Pool(1);
        Assert.False(Fail(d, rev1, single[0], 50));
    }

    [Fact]
    public void Ejection_lasts_base_times_the_count_and_the_count_decays_per_interval()
    {
        var time = new FakeTimeProvider();
        var (rev, pool) = Pool(3);
        var d = Detector(time);
        Fail(d, rev, pool[0], 5);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(d.IsEjected(pool[0]));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(d.IsEjected(pool[0]));
        // Ejected again at once: twice as long.
        Fail(d, rev, pool[0], 5);
        Assert.Equal(2, d.TimesEjected(pool[0]));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(d.IsEjected(pool[0]));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(d.IsEjected(pool[0]));
        // Healthy for two intervals: back to the base time.
        time.Advance(TimeSpan.FromSeconds(25));
        Fail(d, rev, pool[0], 5);
        Assert.Equal(1, d.TimesEjected(pool[0]));
    }

    [Fact]
    public void Gateway_errors_count_on_their_own()
    {
        var time = new FakeTimeProvider();
        var (rev, pool) = Pool(2);
        var d = Detector(time, c5xx: 0, gw: 2);
        Assert.False(Fail(d, rev, pool[0], 5, status: 500));
        Assert.False(Fail(d, rev, pool[0], 1, status: 503));
        Assert.True(Fail(d, rev, pool[0], 1, status: 502));
    }

    [Fact]
    public void Max_ejection_percent_allows_more_in_bigger_pools_and_min_health_stops_it()
    {
        var time = new FakeTimeProvider();
        var (rev, pool) = Pool(4);
        var d = Detector(time, max: 50);
        Assert.True(Fail(d, rev, pool[0], 5));
        Assert.True(Fail(d, rev, pool[1], 5));
        Assert.False(Fail(d, rev, pool[2], 5));

        var (rev2, pool2) = Pool(4);
        var d2 = Detector(time, max: 100, minHealth: 80);
        Assert.True(Fail(d2, rev2, pool2[0], 5));
        // 3 of 4 in = 75 %, under 80 %: detection stops ejecting (Envoy).
        Assert.False(Fail(d2, rev2, pool2[1], 5));
    }

    [Fact]
    public void The_balancer_skips_an_ejected_instance()
    {
        var time = new FakeTimeProvider();
        var (rev, pool) = Pool(2);
        var d = Detector(time);
        Fail(d, rev, pool[0], 5);
        for (var k = 0; k < 50; k++)
        {
            var picked = DestinationResilience.AcquireSkippingEjected(rev, d);
            Assert.Same(pool[1], picked);
            picked!.Release();
        }
        Assert.Equal(0, pool[0].InFlight);
    }
}

public sealed class RuleResilienceTests
{
    [Fact]
    public void A_rule_without_resilience_fields_compiles_to_nothing() =>
        Assert.Null(RuleResilience.From(new HttpRoute { Route = [new HttpRouteDestination { Destination = new IstioDestination { Host = "web" } }] }, "r", null));

    [Fact]
    public void Zero_attempts_and_zero_timeout_disable_them() =>
        Assert.Null(RuleResilience.From(new HttpRoute { Timeout = "0s", Retries = new HttpRetry { Attempts = 0 } }, "r", null));

    [Fact]
    public void Compiles_timeout_retries_fault_and_the_annotation()
    {
        var r = RuleResilience.From(new HttpRoute
        {
            Timeout = "2s",
            Retries = new HttpRetry { Attempts = 3, PerTryTimeout = "500ms", RetryOn = "5xx" },
            Fault = new HttpFaultInjection { Abort = new FaultAbort { HttpStatus = 503, Percentage = new IstioPercent { Value = 10 } } },
            CorsPolicy = new CorsPolicy { AllowOrigins = [new StringMatch { Exact = "https://a" }] },
        }, "api", new Dictionary<string, string> { [RetryPolicy.NonIdempotentAnnotation] = "true" })!;
        Assert.Equal(TimeSpan.FromSeconds(2), r.Timeout);
        Assert.Equal(3, r.Retry!.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(500), r.Retry.PerTryTimeout);
        Assert.True(r.Retry.AllowNonIdempotent);
        Assert.Equal(10, r.Fault!.AbortPercent);
        Assert.True(r.Cors!.Allows("https://a"));
        Assert.Equal("timeout 2000ms; retries attempts 3 on 5xx perTry 500ms (non-idempotent too); fault abort 503 at 10%; cors", r.Describe());
    }

    [Fact]
    public void Counters_describe_only_what_happened()
    {
        var c = new ResilienceCounters();
        Assert.Equal("-", c.Describe());
        c.Add(ResilienceEvent.Retry);
        c.Add(ResilienceEvent.Retry);
        c.Add(ResilienceEvent.FaultAbort);
        Assert.Equal("retry=2 fault_abort=1", c.Describe());
    }
}

public sealed class ResilienceMetricsTests
{
    [Fact]
    public async Task Events_are_counted_per_revision_rule_and_event()
    {
        var metrics = new Metrics.ServingMetrics(new Revisions.RevisionRegistry());
        var rev = InstanceStateTests.Revision();
        metrics.Resilience(rev, "beta", ResilienceEvent.Retry);
        metrics.Resilience(rev, "beta", ResilienceEvent.Retry);
        metrics.Resilience(rev, "beta", ResilienceEvent.MirrorDropped);
        using var output = new MemoryStream();
        await metrics.WriteAsync(output, CancellationToken.None);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("kinlet_traffic_policy_events_total{namespace=\"default\",service=\"svc\",revision=\"svc-00001\",rule=\"beta\",event=\"retry\"} 2", text);
        Assert.Contains("event=\"mirror_dropped\"} 1", text);
    }
}
