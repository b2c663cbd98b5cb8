using System.Text.RegularExpressions;

namespace Kinlet.Serving.Tests.Reconciler;

/// <summary>
/// The reconcile loop is the one writer of revision and instance lifecycle state. This scan of the
/// serving sources keeps it so: every call that changes that state sits under Reconciler/ (or is the
/// member's own definition in Revisions/).
/// </summary>
public sealed partial class OneWriterTests
{
    [GeneratedRegex(@"\.(AddReady|RemoveReady|ReturnToBalancer|Fail|ClearFailure|Publish|SetIntent|MarkReady|BeginDrain|MarkGone|SetEndpoint)\(|\.(ContainerId|ReadyAt)\s*=[^=>]")]
    private static partial Regex LifecycleWrite();

    // Publish calls that write no revision state: the route table (the router's own snapshot) and the config change
    // feed (it announces ConfigMap/Secret writes).
    private static readonly string[] NotLifecycle = ["outes.Publish(", "outer.Publish(", "Publish(ConfigKind.", "Publish(ConfigMaps.ConfigKind."];

    [Fact]
    public void Lifecycle_state_is_written_only_by_the_reconciler()
    {
        var serving = Path.Combine(RepoRoot(), "src", "Kinlet.Serving");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(serving, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(serving, file).Replace('\\', '/');
            if (relative.StartsWith("Reconciler/", StringComparison.Ordinal) || relative.StartsWith("Revisions/", StringComparison.Ordinal)
                || relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var n = 0; n < lines.Length; n++)
            {
                var line = lines[n];
                if (!LifecycleWrite().IsMatch(line)) continue;
                if (NotLifecycle.Any(other => line.Contains(other, StringComparison.Ordinal))) continue;
                offenders.Add($"{relative}:{n + 1}: {line.Trim()}");
            }
        }
        Assert.True(offenders.Count == 0, "lifecycle state written outside Reconciler/:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Revision_state_has_no_public_setters()
    {
        var setters = typeof(Kinlet.Serving.Revisions.RevisionState).GetProperties()
            .Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => p.Name)
            .ToList();
        Assert.Empty(setters);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Runtime.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Runtime.sln not found above " + AppContext.BaseDirectory);
    }
}
