using System.Text.RegularExpressions;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>One Istio <c>StringMatch</c>, compiled once: exact, prefix, regex (whole value, RE2-like) or presence.</summary>
public abstract class StringMatcher
{
    public abstract bool Matches(ReadOnlySpan<char> value);

    /// <summary>The prefix of a prefix match (a uri rewrite replaces it); null for the others.</summary>
    public virtual string? Prefix => null;

    public static StringMatcher From(StringMatch? match, bool ignoreCase = false)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return match switch
        {
            { Exact: { } e } => new ExactMatcher(e, comparison),
            { Prefix: { } p } => new PrefixMatcher(p, comparison),
            { Regex: { } r } => new RegexMatcher(IstioRegex.Compile(r, ignoreCase)),
            _ => PresentMatcher.Instance,
        };
    }
}

internal sealed class ExactMatcher(string value, StringComparison comparison) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> candidate) => candidate.Equals(value, comparison);
}

internal sealed class PrefixMatcher(string value, StringComparison comparison) : StringMatcher
{
    public override string? Prefix => value;

    public override bool Matches(ReadOnlySpan<char> candidate) => candidate.StartsWith(value, comparison);
}

/// <summary>Non-backtracking: linear in the value's length whatever the pattern, so a rule cannot stall the request path.</summary>
internal sealed class RegexMatcher(Regex regex) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> candidate) => regex.IsMatch(candidate);
}

/// <summary><c>{}</c>: the value only has to be there.</summary>
internal sealed class PresentMatcher : StringMatcher
{
    public static readonly PresentMatcher Instance = new();

    public override bool Matches(ReadOnlySpan<char> candidate) => true;
}

/// <summary>The common cookie case, as Istio users write it: a <c>cookie</c> header regex for <c>name=value</c>.</summary>
public static class CookieMatch
{
    /// <summary>
    /// <c>^(.*?;\s*)?(name=value)(;.*)?$</c> with both parts escaped: matches the cookie among others, in any position,
    /// and not a cookie whose name merely ends with <paramref name="name"/>. Put it under <c>headers: {cookie: {regex: ...}}</c>.
    /// </summary>
    public static string Regex(string name, string value) =>
        @"^(.*?;\s*)?(" + System.Text.RegularExpressions.Regex.Escape(name) + "=" + System.Text.RegularExpressions.Regex.Escape(value) + @")(;.*)?$";

    /// <summary>A <see cref="StringMatch"/> for <c>headers.cookie</c>.</summary>
    public static StringMatch Header(string name, string value) => new() { Regex = Regex(name, value) };
}
