using System.Text.RegularExpressions;

namespace Kinlet.Cli.Api;

/// <summary>Kubernetes-style <c>Warning: 299 - "text"</c> response headers: the daemon's notes about ignored fields.</summary>
internal static partial class WarningHeader
{
    /// <summary>The texts in one header value; a value the pattern does not fit is returned whole.</summary>
    public static IEnumerable<string> Parse(string value)
    {
        var matches = Pattern().Matches(value);
        if (matches.Count == 0)
        {
            if (!string.IsNullOrWhiteSpace(value)) yield return value.Trim();
            yield break;
        }
        foreach (Match m in matches)
            yield return Unescape().Replace(m.Groups["text"].Value, "$1");
    }

    // warn-code SP warn-agent SP quoted-string [SP warn-date] (RFC 7234 §5.5); agent is "-" from the daemon.
    [GeneratedRegex("""\d{3}\s+\S+\s+"(?<text>(?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?""")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"\\(.)")]
    private static partial Regex Unescape();
}
