namespace Kinlet.Serving.Protocols;

/// <summary>
/// The <c>grpc-timeout</c> request header (gRPC over HTTP/2: at most 8 ASCII digits and a unit, H M S m u n).
/// kinletd bounds the call by the earlier of it and the revision's timeoutSeconds.
/// </summary>
public static class GrpcTimeout
{
    public const string Header = "grpc-timeout";

    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        value = value.Trim();
        if (value.Length is < 2 or > 9) return false;
        long amount = 0;
        foreach (var c in value[..^1])
        {
            if (c is < '0' or > '9') return false;
            amount = amount * 10 + (c - '0');
        }
        // Ticks are 100 ns: nanoseconds round up so that a tiny deadline is not read as none.
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            'n' => (amount + 99) / 100,
            _ => null,
        };
        if (ticks is not { } t) return false;
        timeout = TimeSpan.FromTicks(t);
        return true;
    }
}
