using System.Text;
using Kinlet.Core.Model;
using Kinlet.Eventing.Delivery;

namespace Kinlet.Eventing.Tests.Delivery;

public sealed class RetryPolicyTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Default_is_knatives_retry_10_exponential_200ms()
    {
        var p = RetryPolicy.From(null);
        Assert.Equal(10, p.Retries);
        Assert.Equal(BackoffPolicy.Exponential, p.Policy);
        Assert.Equal(Ms(200), p.Delay);
    }

    [Fact]
    public void Exponential_doubles_from_the_delay()
    {
        var p = RetryPolicy.From(new DeliverySpec { Retry = 4, BackoffPolicy = "exponential", BackoffDelay = "PT0.1S" });
        Assert.Equal([Ms(100), Ms(200), Ms(400), Ms(800)], Enumerable.Range(1, 4).Select(a => p.NextDelay(a, 503)!.Value));
        Assert.Null(p.NextDelay(5, 503)); // retry 4 = 5 attempts
    }

    [Fact]
    public void Linear_grows_by_the_delay()
    {
        var p = RetryPolicy.From(new DeliverySpec { Retry = 3, BackoffPolicy = "linear", BackoffDelay = "PT1S" });
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)],
            Enumerable.Range(1, 3).Select(a => p.NextDelay(a, null)!.Value));
    }

    [Fact]
    public void Growth_is_capped()
    {
        var p = RetryPolicy.From(new DeliverySpec { Retry = 100, BackoffDelay = "PT1S" });
        Assert.Equal(RetryPolicy.MaxDelay, p.NextDelay(100, 500));
    }

    [Fact]
    public void Zero_retries_means_one_attempt()
    {
        Assert.Null(RetryPolicy.From(new DeliverySpec { Retry = 0 }).NextDelay(1, 500));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(599, true)]
    [InlineData(404, true)]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(413, false)]
    [InlineData(302, false)]
    public void Retries_only_what_knative_retries(int? status, bool retried)
    {
        Assert.Equal(retried, RetryPolicy.IsRetryable(status));
        Assert.Equal(retried, RetryPolicy.Default.NextDelay(1, status) is not null);
    }

    [Fact]
    public void Retry_after_is_honoured_up_to_its_cap_only_when_one_is_set()
    {
        var ignoring = RetryPolicy.From(new DeliverySpec { BackoffDelay = "PT0.1S" });
        Assert.Equal(Ms(100), ignoring.NextDelay(1, 429, TimeSpan.FromSeconds(30)));
        var honouring = RetryPolicy.From(new DeliverySpec { BackoffDelay = "PT0.1S", RetryAfterMax = "PT10S" });
        Assert.Equal(TimeSpan.FromSeconds(5), honouring.NextDelay(1, 429, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(10), honouring.NextDelay(1, 429, TimeSpan.FromSeconds(30)));
        Assert.Equal(Ms(100), honouring.NextDelay(1, 429, Ms(1)));
    }

    [Theory]
    [InlineData("PT0.2S", 200)]
    [InlineData("PT5S", 5000)]
    [InlineData("PT1M", 60000)]
    [InlineData("PT1H30M", 5400000)]
    [InlineData("P1D", 86400000)]
    public void Iso8601_durations(string text, double ms)
    {
        Assert.Equal(Ms(ms), RetryPolicy.Duration(text, "f"));
    }

    [Theory]
    [InlineData(-1, null, null, null, "spec.delivery.retry")]
    [InlineData(null, "fibonacci", null, null, "spec.delivery.backoffPolicy")]
    [InlineData(null, null, "0.2s", null, "spec.delivery.backoffDelay")]
    [InlineData(null, null, "-PT1S", null, "spec.delivery.backoffDelay")]
    [InlineData(null, null, null, "PT0S", "spec.delivery.timeout")]
    public void Invalid_settings_name_their_field(int? retry, string? policy, string? delay, string? timeout, string field)
    {
        var e = Assert.Throws<DeliverySpecException>(() =>
            RetryPolicy.From(new DeliverySpec { Retry = retry, BackoffPolicy = policy, BackoffDelay = delay, Timeout = timeout }));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Dead_letter_extensions_carry_destination_status_and_at_most_1024_bytes_of_body()
    {
        var body = Encoding.UTF8.GetBytes(new string('x', 2000));
        var ext = DeadLetter.Extensions("http://127.0.0.1:9/hook", 503, body).ToDictionary();
        Assert.Equal("http://127.0.0.1:9/hook", ext[DeadLetter.ErrorDest]);
        Assert.Equal("503", ext[DeadLetter.ErrorCode]);
        Assert.Equal(1024, Convert.FromBase64String(ext[DeadLetter.ErrorData]).Length);

        var none = DeadLetter.Extensions("http://x", null, []).ToDictionary();
        Assert.Equal("500", none[DeadLetter.ErrorCode]);
        Assert.False(none.ContainsKey(DeadLetter.ErrorData));
    }
}
