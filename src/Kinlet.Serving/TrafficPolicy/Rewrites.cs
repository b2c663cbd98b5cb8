using System.Text.RegularExpressions;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>
/// <c>rewrite</c>, as Istio has Envoy do it: after a prefix match the matched prefix is replaced (<c>/v2/items</c> with
/// <c>prefix: /v2/</c> and <c>uri: /</c> becomes <c>/items</c>); after an exact or regex match the whole path; with no
/// uri match the leading <c>/</c>. <c>uriRegexRewrite</c> replaces every match of its regex. The query string stays.
/// <c>authority</c> replaces the Host the function sees.
/// </summary>
public sealed class Rewrite
{
    private readonly string? _uri;
    private readonly Regex? _regex;
    private readonly string? _replacement;
    private readonly string? _authority;

    private Rewrite(string? uri, Regex? regex, string? replacement, string? authority)
    {
        _uri = uri;
        _regex = regex;
        _replacement = replacement;
        _authority = authority;
    }

    public static Rewrite? From(HttpRewrite? rewrite)
    {
        if (rewrite is null || (rewrite.Uri is null && rewrite.UriRegexRewrite is null && rewrite.Authority is null)) return null;
        var rr = rewrite.UriRegexRewrite;
        return new Rewrite(rewrite.Uri, rr?.Match is { } m ? IstioRegex.CompileSearch(m) : null, rr?.Rewrite is { } r ? ToDotNet(r) : null, rewrite.Authority);
    }

    /// <summary>RE2's <c>\1</c> group references are .NET's <c>$1</c>; a literal <c>$</c> is doubled.</summary>
    internal static string ToDotNet(string re2Replacement) =>
        Regex.Replace(re2Replacement.Replace("$", "$$", StringComparison.Ordinal), @"\\(\d)", "$${$1}");

    public void Apply(HttpContext context, MatchBlock? matched)
    {
        var request = context.Request;
        if (_uri is not null || _regex is not null)
        {
            var path = request.Path.HasValue ? request.Path.Value! : "/";
            string rewritten;
            if (_regex is not null) rewritten = _regex.Replace(path, _replacement!);
            else if (matched?.Uri is { } uri)
                rewritten = uri.Prefix is { } prefix ? _uri + path[Math.Min(prefix.Length, path.Length)..] : _uri!;
            else rewritten = _uri + path[1..];
            request.Path = new PathString(rewritten.StartsWith('/') ? rewritten : "/" + rewritten);
        }
        if (_authority is not null) request.Host = new HostString(_authority);
    }
}
