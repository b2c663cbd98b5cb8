using Kinlet.Serving.LoadBalancing;
using Kinlet.Serving.Revisions;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>A DestinationRule's <c>loadBalancer</c> for one destination: picks an instance of the revision and takes its slot.</summary>
public abstract class InstancePicker
{
    public abstract InstanceState? Acquire(HttpContext context, RevisionState revision);
}

/// <summary><c>simple</c>: LEAST_REQUEST (power of two choices, today's default), ROUND_ROBIN or RANDOM.</summary>
internal sealed class SimplePicker(ILoadBalancingPolicy policy) : InstancePicker
{
    public override InstanceState? Acquire(HttpContext context, RevisionState revision) => policy.Acquire(revision.Ready, revision.ContainerConcurrency);
}

/// <summary>
/// <c>consistentHash</c>: the same key goes to the same instance while it is ready (rendezvous hashing: each instance
/// scores hash(key, instance) and the highest wins, so an instance joining or leaving moves only its own share). A
/// request without a key, or whose instance has no free slot, takes the revision's usual balancer.
/// </summary>
internal sealed class ConsistentHashPicker(HashKey key) : InstancePicker
{
    public override InstanceState? Acquire(HttpContext context, RevisionState revision)
    {
        var ready = revision.Ready;
        if (ready.Length > 1 && key.TryGet(context, out var hash))
        {
            InstanceState? best = null;
            ulong bestScore = 0;
            foreach (var instance in ready)
            {
                var score = Hashing.Mix(hash ^ Hashing.Of(instance.Name));
                if (best is null || score > bestScore)
                {
                    best = instance;
                    bestScore = score;
                }
            }
            if (best!.TryAcquire(revision.ContainerConcurrency)) return best;
        }
        return revision.Policy.Acquire(ready, revision.ContainerConcurrency);
    }
}

/// <summary>Where a consistent hash takes its key from.</summary>
public abstract class HashKey
{
    public abstract bool TryGet(HttpContext context, out ulong hash);
}

internal sealed class HeaderHashKey(string name) : HashKey
{
    public override bool TryGet(HttpContext context, out ulong hash)
    {
        var values = context.Request.Headers[name];
        hash = values.Count > 0 && values[0] is { Length: > 0 } v ? Hashing.Of(v) : 0;
        return values.Count > 0;
    }
}

internal sealed class QueryHashKey(string name) : HashKey
{
    public override bool TryGet(HttpContext context, out ulong hash)
    {
        hash = 0;
        if (!context.Request.QueryString.HasValue) return false;
        var values = context.Request.Query[name];
        if (values.Count == 0) return false;
        hash = Hashing.Of(values[0] ?? "");
        return true;
    }
}

internal sealed class SourceIpHashKey : HashKey
{
    public static readonly SourceIpHashKey Instance = new();

    public override bool TryGet(HttpContext context, out ulong hash)
    {
        hash = 0;
        if (context.Connection.RemoteIpAddress is not { } ip) return false;
        Span<byte> bytes = stackalloc byte[16];
        if (!(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).TryWriteBytes(bytes, out var written)) return false;
        hash = Hashing.Of(bytes[..written]);
        return true;
    }
}

/// <summary>
/// <c>httpCookie</c>: the cookie's value. When it is missing and a <c>ttl</c> is set, kinletd makes one (as Envoy
/// does) and sets it on the response, so the client's next requests stick; without a ttl such a request is balanced as usual.
/// </summary>
internal sealed class CookieHashKey(string name, string? path, TimeSpan? ttl) : HashKey
{
    public override bool TryGet(HttpContext context, out ulong hash)
    {
        if (context.Request.Cookies.TryGetValue(name, out var value) && value.Length > 0)
        {
            hash = Hashing.Of(value);
            return true;
        }
        hash = 0;
        if (ttl is not { } t) return false;
        var generated = Guid.NewGuid().ToString("N");
        hash = Hashing.Of(generated);
        var cookie = name + "=" + generated + "; Path=" + (path ?? "/") + "; HttpOnly"
            + (t > TimeSpan.Zero ? "; Max-Age=" + ((long)t.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
        context.Response.OnStarting(static state =>
        {
            var (response, c) = ((HttpResponse, string))state;
            response.Headers.Append("Set-Cookie", c);
            return Task.CompletedTask;
        }, (context.Response, cookie));
        return true;
    }
}

/// <summary>FNV-1a 64 and a finalizer: stable across processes (unlike string.GetHashCode), so affinity survives a restart.</summary>
internal static class Hashing
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(ReadOnlySpan<char> text)
    {
        var h = Offset;
        foreach (var c in text) h = (h ^ c) * Prime;
        return h;
    }

    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var h = Offset;
        foreach (var b in bytes) h = (h ^ b) * Prime;
        return h;
    }

    /// <summary>splitmix64's finalizer: spreads the xor of two hashes over all bits before comparing scores.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9;
        x ^= x >> 27;
        x *= 0x94d049bb133111eb;
        return x ^ (x >> 31);
    }
}
