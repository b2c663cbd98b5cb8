using System.Text;
using System.Text.RegularExpressions;

namespace Kinlet.Cli.Functions;

/// <summary>
/// <c>.dockerignore</c> rules as the Docker CLI applies them: one pattern per line, <c>#</c> comments, <c>!</c>
/// re-includes, <c>*</c> <c>?</c> <c>[...]</c> within one path segment, <c>**</c> across segments; the last pattern
/// that matches decides; a pattern that matches a directory matches everything under it.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules = [];

    public DockerIgnore(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var exclude = true;
            if (line[0] == '!')
            {
                exclude = false;
                line = line[1..].Trim();
                if (line.Length == 0) continue;
            }
            var pattern = Clean(line);
            if (pattern.Length == 0) continue;
            _rules.Add((new Regex(ToRegex(pattern), RegexOptions.CultureInvariant), exclude));
        }
    }

    public static DockerIgnore Empty { get; } = new([]);

    public static DockerIgnore Parse(string text) => new(text.Split('\n'));

    /// <summary>True when some rule re-includes (<c>!</c>): then an excluded directory must still be walked.</summary>
    public bool HasExceptions => _rules.Exists(r => !r.Exclude);

    /// <summary>Whether <paramref name="path"/> (relative to the context, <c>/</c>-separated) is left out.</summary>
    public bool IsExcluded(string path)
    {
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            if (excluded == exclude) continue;
            if (MatchesSelfOrParent(pattern, path)) excluded = exclude;
        }
        return excluded;
    }

    private static bool MatchesSelfOrParent(Regex pattern, string path)
    {
        if (pattern.IsMatch(path)) return true;
        for (var i = path.LastIndexOf('/'); i > 0; i = path.LastIndexOf('/', i - 1))
            if (pattern.IsMatch(path[..i])) return true;
        return false;
    }

    /// <summary>Like Go's filepath.Clean on a slash path, without a leading <c>/</c> or <c>./</c>.</summary>
    internal static string Clean(string pattern)
    {
        var parts = new List<string>();
        foreach (var part in pattern.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == ".." && parts.Count > 0 && parts[^1] != "..") parts.RemoveAt(parts.Count - 1);
            else parts.Add(part);
        }
        return string.Join('/', parts);
    }

    internal static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    var atStart = i == 1 || pattern[i - 2] == '/';
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/' && atStart)
                    {
                        // "**/" : zero or more whole directories.
                        sb.Append("(?:.*/)?");
                        i++;
                    }
                    else
                    {
                        sb.Append(".*");
                    }
                    break;
                case '*':
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    var set = pattern[(i + 1)..end];
                    if (set.StartsWith('!') || set.StartsWith('^')) set = "^" + set[1..];
                    sb.Append('[').Append(set.Replace(@"\", @"\\")).Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < pattern.Length:
                    i++;
                    sb.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.Append('$').ToString();
    }
}
