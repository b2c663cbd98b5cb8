namespace Kinlet.Core.Tests;

public class QuantityTests
{
    [Theory]
    [InlineData("128974848", 128974848L)]
    [InlineData("350Mi", 367001600L)]
    [InlineData("1Gi", 1073741824L)]
    [InlineData("0.5Gi", 536870912L)]
    [InlineData("1Ki", 1024L)]
    [InlineData("1Ti", 1099511627776L)]
    [InlineData("1Pi", 1125899906842624L)]
    [InlineData("1Ei", 1152921504606846976L)]
    [InlineData("500M", 500000000L)]
    [InlineData("1k", 1000L)]
    [InlineData("2G", 2000000000L)]
    [InlineData("1T", 1000000000000L)]
    [InlineData("1P", 1000000000000000L)]
    [InlineData("1E", 1000000000000000000L)]
    [InlineData("1e9", 1000000000L)]
    [InlineData("1E3", 1000L)]
    [InlineData("12e+2", 1200L)]
    [InlineData("1.5e3", 1500L)]
    [InlineData("0", 0L)]
    [InlineData("+64Mi", 67108864L)]
    [InlineData(".5Ki", 512L)]
    [InlineData("5.", 5L)]
    [InlineData("1.5", 2L)] // fractions of a byte round up, as Kubernetes' Value() does
    [InlineData("500m", 1L)]
    [InlineData("1e-3", 1L)]
    public void Parses_memory_quantities_to_bytes(string text, long bytes)
    {
        Assert.True(Quantity.TryParseBytes(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("500m", 500L)]
    [InlineData("1", 1000L)]
    [InlineData("2", 2000L)]
    [InlineData("0.25", 250L)]
    [InlineData("0.1", 100L)]
    [InlineData("1.5", 1500L)]
    [InlineData("100m", 100L)]
    [InlineData("0.5m", 1L)] // rounds up, as MilliValue() does
    [InlineData("1k", 1000000L)]
    [InlineData("2e-1", 200L)]
    [InlineData("0", 0L)]
    public void Parses_cpu_quantities_to_millicores(string text, long milli)
    {
        Assert.True(Quantity.TryParseMilliCpu(text, out var value));
        Assert.Equal(milli, value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("-1")]
    [InlineData("-128Mi")]
    [InlineData("abc")]
    [InlineData("Mi")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("1GB")]
    [InlineData("1mi")]
    [InlineData("1 Gi")]
    [InlineData(" 1Gi")]
    [InlineData("1Gi ")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1ee3")]
    [InlineData("0x10")]
    [InlineData("1,5")]
    [InlineData("10Ei")] // past long.MaxValue bytes
    [InlineData("1e100")]
    public void Rejects_negatives_garbage_and_overflow(string? text)
    {
        Assert.False(Quantity.TryParseBytes(text, out _));
        Assert.False(Quantity.TryParseMilliCpu(text, out _));
    }

    [Fact]
    public void Keeps_the_exact_value()
    {
        Assert.True(Quantity.TryParse("1.5m", out var v));
        Assert.Equal(0.0015m, v);
    }
}
