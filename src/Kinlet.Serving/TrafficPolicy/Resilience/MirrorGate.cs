namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>
/// Bounds the shadow copies in flight (for the whole daemon), so mirroring can never pile up behind a slow shadow
/// revision and take memory or sockets from live traffic: over the bound a copy is dropped and counted, never waited for.
/// </summary>
public sealed class MirrorGate(int maxInFlight)
{
    public const int DefaultMaxInFlight = 64;

    private int _inFlight;

    public int MaxInFlight { get; } = Math.Max(1, maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= MaxInFlight) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Istio's shadow authority: <c>web.localhost</c> → <c>web.localhost-shadow</c>, the port kept after it.</summary>
    public static string ShadowHost(string host)
    {
        if (host.Length == 0) return "-shadow";
        // "[::1]:8080" and "web:8080": the suffix goes on the name, before the port.
        var colon = host.LastIndexOf(':');
        if (colon > 0 && host.IndexOf(']', colon) < 0 && (host[0] != '[' || host[colon - 1] == ']'))
            return string.Concat(host.AsSpan(0, colon), "-shadow", host.AsSpan(colon));
        return host + "-shadow";
    }
}
