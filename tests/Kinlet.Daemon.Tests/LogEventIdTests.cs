using System.Text.RegularExpressions;

namespace Kinlet.Daemon.Tests;

/// <summary>
/// kinletd's log event ids are unique across src, so an id in a log line names one message (JSON logs carry
/// the id; alerts and greps key on it). Scans every <c>EventId = N</c> (source-generated <c>[LoggerMessage]</c>)
/// and <c>new EventId(N</c>.
/// </summary>
public sealed partial class LogEventIdTests
{
    [GeneratedRegex(@"\bEventId\s*=\s*(\d+)|new\s+EventId\s*\(\s*(\d+)")]
    private static partial Regex EventIdUse();

    [Fact]
    public void Every_log_event_id_in_src_is_used_once()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var uses = new Dictionary<int, List<string>>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var n = 0; n < lines.Length; n++)
            {
                var line = lines[n].TrimStart();
                if (line.StartsWith("//", StringComparison.Ordinal)) continue;
                foreach (Match m in EventIdUse().Matches(line))
                {
                    var id = int.Parse(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (!uses.TryGetValue(id, out var where)) uses[id] = where = [];
                    where.Add($"{relative}:{n + 1}");
                }
            }
        }
        Assert.NotEmpty(uses);
        var duplicates = uses.Where(u => u.Value.Count > 1).OrderBy(u => u.Key).Select(u => $"EventId {u.Key}: {string.Join(", ", u.Value)}").ToList();
        Assert.True(duplicates.Count == 0, "log event ids used more than once:\n" + string.Join('\n', duplicates));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "src", "Kinlet.Daemon"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
