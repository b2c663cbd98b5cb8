using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>One <c>allowOrigins</c> entry: exact, prefix, or an RE2-style regex over the whole origin.</summary>
public sealed class OriginMatch
{
    private readonly string? _exact, _prefix;
    private readonly Regex? _regex;

    private OriginMatch(string? exact, string? prefix, Regex? regex)
    {
        _exact = exact;
        _prefix = prefix;
        _regex = regex;
    }

    public static OriginMatch Exact(string value) => new(value, null, null);

    public static OriginMatch Prefix(string value) => new(null, value, null);

    // NonBacktracking: the validator already refused what RE2 would; anchored because Istio matches the whole value.
    public static OriginMatch Pattern(string regex) =>
        new(null, null, new Regex("^(?:" + regex + ")$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant));

    public bool Matches(string origin) =>
        _exact is not null ? (_exact == "*" || string.Equals(_exact, origin, StringComparison.Ordinal))
        : _prefix is not null ? origin.StartsWith(_prefix, StringComparison.Ordinal)
        : _regex!.IsMatch(origin);
}

/// <summary>
/// A rule's <c>corsPolicy</c> (Envoy's CORS filter): a preflight (OPTIONS with Origin and Access-Control-Request-Method)
/// from an allowed origin is answered by kinletd (200, no body) and never reaches the function; other requests from an
/// allowed origin get Access-Control-Allow-Origin (the origin echoed), -Allow-Credentials and -Expose-Headers on the
/// response. An origin that matches nothing gets no CORS header, and its preflight is forwarded
/// (<c>unmatchedPreflights: FORWARD</c>, Istio's default) or answered 200 without headers (IGNORE).
/// </summary>
public sealed class CorsStep
{
    private readonly OriginMatch[] _origins;

    public CorsStep(OriginMatch[] origins, IReadOnlyList<string>? methods, IReadOnlyList<string>? headers, IReadOnlyList<string>? expose,
        TimeSpan? maxAge, bool allowCredentials, bool ignoreUnmatchedPreflights)
    {
        _origins = origins;
        AllowMethods = methods is { Count: > 0 } ? string.Join(',', methods) : null;
        AllowHeaders = headers is { Count: > 0 } ? string.Join(',', headers) : null;
        ExposeHeaders = expose is { Count: > 0 } ? string.Join(',', expose) : null;
        MaxAge = maxAge is { } m ? ((long)m.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        AllowCredentials = allowCredentials;
        IgnoreUnmatchedPreflights = ignoreUnmatchedPreflights;
    }

    public string? AllowMethods { get; }
    public string? AllowHeaders { get; }
    public string? ExposeHeaders { get; }
    public string? MaxAge { get; }
    public bool AllowCredentials { get; }
    public bool IgnoreUnmatchedPreflights { get; }

    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method)
        && request.Headers.ContainsKey("Origin")
        && request.Headers.ContainsKey("Access-Control-Request-Method");

    public bool Allows(string origin)
    {
        foreach (var o in _origins)
            if (o.Matches(origin)) return true;
        return false;
    }

    /// <summary>The request's origin when it is allowed, else null (no CORS headers).</summary>
    public string? AllowedOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin;
        return origin.Count == 1 && origin[0] is { Length: > 0 } o && Allows(o) ? o : null;
    }

    /// <summary>What to do with the request: answer a preflight here, or forward it (with headers to add when allowed).</summary>
    public CorsAction Decide(HttpRequest request, out string? origin)
    {
        origin = AllowedOrigin(request);
        if (IsPreflight(request))
        {
            if (origin is not null) return CorsAction.AnswerPreflight;
            return IgnoreUnmatchedPreflights ? CorsAction.AnswerEmpty : CorsAction.Forward;
        }
        return origin is null ? CorsAction.Forward : CorsAction.ForwardWithHeaders;
    }

    public void WritePreflight(HttpResponse response, string origin)
    {
        var h = response.Headers;
        h.AccessControlAllowOrigin = origin;
        h.Vary = "Origin";
        if (AllowMethods is not null) h.AccessControlAllowMethods = AllowMethods;
        if (AllowHeaders is not null) h.AccessControlAllowHeaders = AllowHeaders;
        if (MaxAge is not null) h.AccessControlMaxAge = MaxAge;
        if (AllowCredentials) h.AccessControlAllowCredentials = "true";
        if (ExposeHeaders is not null) h.AccessControlExposeHeaders = ExposeHeaders;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = 0;
    }

    /// <summary>The headers of an actual (non-preflight) response to an allowed origin; the function's own are replaced.</summary>
    public void ApplyToResponse(IHeaderDictionary h, string origin)
    {
        h.AccessControlAllowOrigin = origin;
        h.Vary = StringValues.Concat(h.Vary, "Origin");
        if (AllowCredentials) h.AccessControlAllowCredentials = "true";
        if (ExposeHeaders is not null) h.AccessControlExposeHeaders = ExposeHeaders;
    }
}

public enum CorsAction
{
    Forward,
    ForwardWithHeaders,
    AnswerPreflight,
    AnswerEmpty,
}
