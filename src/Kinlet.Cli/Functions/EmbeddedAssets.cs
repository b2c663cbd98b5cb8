using System.Reflection;

namespace Kinlet.Cli.Functions;

/// <summary>The function templates and language runtimes shipped inside the CLI (embedded resources, see the .csproj).</summary>
internal static class EmbeddedAssets
{
    private static readonly Assembly Assembly = typeof(EmbeddedAssets).Assembly;

    /// <summary>Resource names under <paramref name="prefix"/> (e.g. <c>templates/node/http/</c>), sorted.</summary>
    public static IReadOnlyList<string> List(string prefix) =>
        [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    public static byte[] Read(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the CLI has no embedded asset '{name}'");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static string ReadText(string name) => System.Text.Encoding.UTF8.GetString(Read(name));
}
