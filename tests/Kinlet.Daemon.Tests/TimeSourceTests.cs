using System.Text.RegularExpressions;

namespace Kinlet.Daemon.Tests;

/// <summary>
/// Time comes from the injected TimeProvider, so the fast tests can run the stateful core on a fake clock. This
/// scan keeps the wall clock out of src, except the event log (Store/Events, Eventing), whose timestamps are the
/// record's own and stay the wall clock's.
/// </summary>
public sealed partial class TimeSourceTests
{
    [GeneratedRegex(@"\bDateTime(Offset)?\.(UtcNow|Now)\b")]
    private static partial Regex WallClock();

    [Fact]
    public void Src_reads_time_from_the_TimeProvider()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)
                || relative.StartsWith("Kinlet.Eventing/", StringComparison.Ordinal) || relative.StartsWith("Kinlet.Store/Events/", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var n = 0; n < lines.Length; n++)
                if (WallClock().IsMatch(lines[n])) offenders.Add($"{relative}:{n + 1}: {lines[n].Trim()}");
        }
        Assert.True(offenders.Count == 0, "the wall clock read directly (inject TimeProvider):\n" + string.Join('\n', offenders));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Runtime.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Runtime.sln not found above " + AppContext.BaseDirectory);
    }
}
