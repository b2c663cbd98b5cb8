namespace Kinlet.Cli.Api;

/// <summary>What reading one candidate token file gave.</summary>
internal enum TokenFileState { Missing, Unreadable, Found }

/// <summary>File access for token discovery; tests substitute it to play "exists but not mine".</summary>
internal interface ITokenFiles
{
    (TokenFileState State, string? Text) Read(string path);
}

internal sealed class RealTokenFiles : ITokenFiles
{
    public static readonly RealTokenFiles Instance = new();

    public (TokenFileState, string?) Read(string path)
    {
        try
        {
            return (TokenFileState.Found, File.ReadAllText(path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (TokenFileState.Missing, null);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return (TokenFileState.Unreadable, null);
        }
    }
}

/// <summary>
/// The token to send, and the file to point at when the daemon refuses it. <see cref="Value"/> is null
/// when no token was found: the request goes without one and the 401 names <see cref="Path"/>.
/// </summary>
internal sealed record TokenInfo(string? Value, string Path, bool FromEnvironment);

/// <summary>Where the CLI looks for the daemon's token (DESIGN.md: security stance).</summary>
internal static class TokenLocator
{
    public const string TokenEnv = "KINLET_TOKEN";
    public const string StateDirEnv = "KINLET_STATE_DIR";
    public const string FileName = "token";

    /// <summary>The token files to try, in order.</summary>
    public static IReadOnlyList<string> Candidates(IReadOnlyDictionary<string, string?> env, bool isRoot, string? home, string systemStateDir)
    {
        var systemToken = Path.Combine(systemStateDir, FileName);
        if (Get(env, StateDirEnv) is { } stateDir) return [Path.Combine(stateDir, FileName)];
        if (isRoot) return [systemToken];
        home = Get(env, "HOME") ?? home;
        // A user's own daemon first; then a system daemon, when this user is allowed to read its token.
        return home is null ? [systemToken] : [Path.Combine(home, ".local", "share", "kinlet", FileName), systemToken];
    }

    public static TokenInfo Find(IReadOnlyDictionary<string, string?> env, bool isRoot, string? home, string systemStateDir, ITokenFiles files)
    {
        var candidates = Candidates(env, isRoot, home, systemStateDir);
        if (Get(env, TokenEnv) is { } fromEnv)
            return new TokenInfo(fromEnv.Trim(), candidates[0], FromEnvironment: true);

        string? unreadable = null;
        foreach (var path in candidates)
        {
            var (state, text) = files.Read(path);
            if (state == TokenFileState.Found && !string.IsNullOrWhiteSpace(text))
                return new TokenInfo(text.Trim(), path, FromEnvironment: false);
            if (state == TokenFileState.Unreadable) unreadable ??= path;
        }
        // Point at the file that exists but is not ours: that is the one the user needs to read.
        return new TokenInfo(null, unreadable ?? candidates[0], FromEnvironment: false);
    }

    private static string? Get(IReadOnlyDictionary<string, string?> env, string name) =>
        env.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
}
