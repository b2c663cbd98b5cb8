using System.Text.RegularExpressions;

namespace Kinlet.Core.Validation;

/// <summary>
/// Istio's regexes are RE2 and Envoy matches them against the whole value. .NET's non-backtracking engine is
/// the closest: linear time, and it refuses what RE2 refuses too (backreferences, lookarounds).
/// </summary>
public static class IstioRegex
{
    public static Regex Compile(string pattern, bool ignoreCase = false) =>
        new(@"\A(?:" + pattern + @")\z",
            RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));

    /// <summary>An unanchored regex (for <c>uriRegexRewrite.match</c>, which replaces what it finds).</summary>
    public static Regex CompileSearch(string pattern) =>
        new(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    /// <summary>Null when the pattern compiles; else why not, in one line.</summary>
    public static string? Check(string pattern, bool anchored = true)
    {
        try
        {
            // The bare pattern first, so an error's offset is the user's, not the anchored wrapper's.
            _ = CompileSearch(pattern);
            if (anchored) _ = Compile(pattern);
            return null;
        }
        catch (ArgumentException e)
        {
            return "not a valid RE2 regular expression: " + e.Message.Split('\n')[0];
        }
        catch (NotSupportedException e)
        {
            return "not supported (RE2 has no backreferences or lookarounds): " + e.Message.Split('\n')[0];
        }
    }
}
