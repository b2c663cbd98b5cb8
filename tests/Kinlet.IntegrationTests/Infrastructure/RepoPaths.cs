namespace Kinlet.IntegrationTests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The repository root (the folder holding Runtime.sln), found upwards from the test binaries.</summary>
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Runtime.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Runtime.sln not found above " + AppContext.BaseDirectory);
    }
}
