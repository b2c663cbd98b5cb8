using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>One condition of a match block, read from the request without allocating (multi-valued headers aside).</summary>
public abstract class RequestCondition
{
    public abstract bool Matches(HttpContext context);

    /// <summary>Envoy's view of a header: absent, its one value, or its values joined (with "; " for cookies, "," otherwise).</summary>
    protected static bool TryHeader(HttpContext context, string name, bool cookie, out string value)
    {
        var values = context.Request.Headers[name];
        switch (values.Count)
        {
            case 0:
                value = "";
                return false;
            case 1:
                value = values[0] ?? "";
                return true;
            default:
                value = string.Join(cookie ? "; " : ",", (IEnumerable<string?>)values);
                return true;
        }
    }
}

/// <summary><c>uri</c>: the path without the query string, as Envoy matches it.</summary>
internal sealed class UriCondition(StringMatcher matcher) : RequestCondition
{
    public override bool Matches(HttpContext context)
    {
        var path = context.Request.Path;
        return matcher.Matches(path.HasValue ? path.Value.AsSpan() : "/");
    }
}

internal sealed class MethodCondition(StringMatcher matcher) : RequestCondition
{
    public override bool Matches(HttpContext context) => matcher.Matches(context.Request.Method);
}

internal sealed class SchemeCondition(StringMatcher matcher) : RequestCondition
{
    public override bool Matches(HttpContext context) => matcher.Matches(context.Request.Scheme);
}

/// <summary>
/// <c>authority</c>: the Host header as sent (with its port, as Envoy sees <c>:authority</c>) or without the port, so
/// <c>exact: web.localhost</c> holds for <c>web.localhost:8080</c> too.
/// </summary>
internal sealed class AuthorityCondition(StringMatcher matcher) : RequestCondition
{
    public override bool Matches(HttpContext context)
    {
        var host = context.Request.Host.Value ?? "";
        return matcher.Matches(host) || matcher.Matches(Routing.RouteTable.HostName(host));
    }
}

/// <summary><c>headers.NAME</c>: present, and its value matches.</summary>
internal sealed class HeaderCondition(string name, StringMatcher matcher) : RequestCondition
{
    private readonly bool _cookie = name.Equals("cookie", StringComparison.OrdinalIgnoreCase);

    public override bool Matches(HttpContext context) => TryHeader(context, name, _cookie, out var value) && matcher.Matches(value);
}

/// <summary><c>withoutHeaders.NAME</c>: the opposite of <see cref="HeaderCondition"/> (absent, or a value that does not match).</summary>
internal sealed class WithoutHeaderCondition(string name, StringMatcher matcher) : RequestCondition
{
    private readonly bool _cookie = name.Equals("cookie", StringComparison.OrdinalIgnoreCase);

    public override bool Matches(HttpContext context) => !(TryHeader(context, name, _cookie, out var value) && matcher.Matches(value));
}

/// <summary><c>queryParams.NAME</c>: present (its first value), and it matches.</summary>
internal sealed class QueryCondition(string name, StringMatcher matcher) : RequestCondition
{
    public override bool Matches(HttpContext context)
    {
        if (!context.Request.QueryString.HasValue) return false;
        StringValues values = context.Request.Query[name];
        return values.Count > 0 && matcher.Matches(values[0] ?? "");
    }
}

/// <summary>One <c>match[]</c> block: every condition holds (AND). The uri prefix is kept for a rewrite.</summary>
public sealed class MatchBlock(RequestCondition[] conditions, StringMatcher? uri)
{
    public StringMatcher? Uri { get; } = uri;

    public bool Matches(HttpContext context)
    {
        foreach (var condition in conditions)
            if (!condition.Matches(context)) return false;
        return true;
    }
}
