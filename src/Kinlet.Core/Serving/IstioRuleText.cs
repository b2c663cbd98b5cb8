using System.Globalization;
using System.Text;
using Kinlet.Core.Model;

namespace Kinlet.Core.Serving;

/// <summary>One-line summaries of VirtualService rules for <c>describe</c>: what a rule matches and where it sends.</summary>
public static class IstioRuleText
{
    /// <summary><c>uri prefix /v2/ and header x-beta = 1 | cookie ~ ...</c>; "any request" when the rule has no match.</summary>
    public static string Match(IReadOnlyList<HttpMatchRequest?>? blocks)
    {
        if (blocks is not { Count: > 0 }) return "any request";
        return string.Join(" | ", blocks.Select(Block));
    }

    private static string Block(HttpMatchRequest? m)
    {
        if (m is null) return "any request";
        var parts = new List<string>();
        void Add(string what, StringMatch? s)
        {
            if (s is not null) parts.Add(what + " " + String(s));
        }
        Add("uri", m.Uri);
        if (m.IgnoreUriCase == true && m.Uri is not null) parts[^1] += " (any case)";
        Add("method", m.Method);
        Add("authority", m.Authority);
        Add("scheme", m.Scheme);
        foreach (var (k, v) in m.Headers ?? []) parts.Add("header " + k + " " + (v is null ? "present" : String(v)));
        foreach (var (k, v) in m.WithoutHeaders ?? []) parts.Add("no header " + k + " " + (v is null ? "" : String(v)).TrimEnd());
        foreach (var (k, v) in m.QueryParams ?? []) parts.Add("query " + k + " " + (v is null ? "present" : String(v)));
        return parts.Count == 0 ? "any request" : string.Join(" and ", parts);
    }

    private static string String(StringMatch s) =>
        s.Exact is { } e ? "= " + e :
        s.Prefix is { } p ? "prefix " + p :
        s.Regex is { } r ? "~ " + r :
        "present";

    /// <summary><c>web 90%, web subset v2 10%</c>, <c>redirect 301 to /new</c>, <c>respond 503</c>; rewrite and header changes after.</summary>
    public static string Action(HttpRoute rule)
    {
        var sb = new StringBuilder();
        if (rule.Route is { Count: > 0 } routes)
            sb.Append(string.Join(", ", routes.Select(r =>
                Destination(r.Destination) + (routes.Count > 1 || r.Weight is not null ? " " + (r.Weight ?? 0).ToString(CultureInfo.InvariantCulture) + "%" : ""))));
        else if (rule.Redirect is { } redirect)
            sb.Append("redirect ").Append((redirect.RedirectCode ?? 301).ToString(CultureInfo.InvariantCulture))
                .Append(" to ").Append(redirect.Scheme is { } sc ? sc + "://" : "").Append(redirect.Authority ?? "").Append(redirect.Uri ?? "(same path)");
        else if (rule.DirectResponse is { } direct)
            sb.Append("respond ").Append(direct.Status?.ToString(CultureInfo.InvariantCulture) ?? "?");
        if (rule.Rewrite is { } rw)
        {
            if (rw.Uri is not null) sb.Append("; rewrite uri ").Append(rw.Uri);
            if (rw.UriRegexRewrite is { } rr) sb.Append("; rewrite uri ~ ").Append(rr.Match).Append(" -> ").Append(rr.Rewrite);
            if (rw.Authority is not null) sb.Append("; rewrite authority ").Append(rw.Authority);
        }
        if (rule.Headers is not null || rule.Route?.Any(r => r.Headers is not null) == true) sb.Append("; headers changed");
        return sb.ToString();
    }

    public static string Destination(IstioDestination? d) =>
        d is null ? "?" : d.Host + (d.Subset is { } s ? " subset " + s : "") + (d.Port?.Number is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "");

    /// <summary><c>ROUND_ROBIN</c>, <c>consistent hash on header x-user</c>; LEAST_REQUEST when nothing is set.</summary>
    public static string LoadBalancer(LoadBalancerSettings? lb)
    {
        if (lb?.ConsistentHash is { } ch)
            return ch.HttpHeaderName is { } h ? "consistent hash on header " + h
                : ch.HttpCookie is { } c ? "consistent hash on cookie " + c.Name
                : ch.HttpQueryParameterName is { } q ? "consistent hash on query " + q
                : "consistent hash on source IP";
        return lb?.Simple ?? "LEAST_REQUEST";
    }
}
