using System.Diagnostics;

namespace Kinlet.Tests.Shared;

/// <summary>
/// Checks manifests against the official CRD schemas in tests/schemas (validate.py, see its README): a document
/// passes when it prints OK or SKIP (a core kind such as ConfigMap). An ERROR fails, and so does a WARN: a pruned
/// field is one Kinlet wrote that a cluster would silently drop.
/// </summary>
public static class CrdSchemas
{
    public static string ValidatorPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Runtime.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("Runtime.sln not found above " + AppContext.BaseDirectory);
        return Path.Combine(dir.FullName, "tests", "schemas", "validate.py");
    }

    /// <summary>The validator's lines for <paramref name="yaml"/>; fails the test on ERROR, WARN or a non-zero exit.</summary>
    public static async Task<IReadOnlyList<string>> AssertValidAsync(string yaml)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ValidatorPath());
        psi.ArgumentList.Add("-");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start python3");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(yaml);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var problems = lines.Where(l => l.StartsWith("ERROR", StringComparison.Ordinal) || l.StartsWith("WARN", StringComparison.Ordinal)).ToList();
        Assert.True(process.ExitCode == 0 && problems.Count == 0,
            $"validate.py exit {process.ExitCode}\n{string.Join('\n', lines)}\n{await stderr}\n--- manifest\n{yaml}");
        Assert.NotEmpty(lines);
        return lines;
    }
}
