namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>
/// Envoy's fully jittered exponential back-off: retry n (1-based) waits U[0, min((2^n − 1) · base, cap)), base 25 ms,
/// cap 10 × base (250 ms). Pure but for the dice.
/// </summary>
public static class RetryBackoff
{
    public static readonly TimeSpan Base = TimeSpan.FromMilliseconds(25);

    public static TimeSpan Delay(int retry, IRandomSource random, TimeSpan? baseInterval = null)
    {
        var b = baseInterval ?? Base;
        var cap = b * 10;
        var n = Math.Clamp(retry, 1, 16);
        var ceiling = b * ((1L << n) - 1);
        if (ceiling > cap) ceiling = cap;
        return ceiling * random.NextDouble();
    }
}
