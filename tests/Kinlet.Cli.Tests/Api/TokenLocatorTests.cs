using Kinlet.Cli.Api;

namespace Kinlet.Cli.Tests.Api;

public sealed class TokenLocatorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("kinlet-token-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Home => Path.Combine(root, "home");
    private string System => Path.Combine(root, "var-lib-kinlet");
    private string UserToken => Path.Combine(Home, ".local", "share", "kinlet", "token");
    private string SystemToken => Path.Combine(System, "token");

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private TokenInfo Find(Dictionary<string, string?> env, bool isRoot = false, ITokenFiles? files = null) =>
        TokenLocator.Find(env, isRoot, Home, System, files ?? RealTokenFiles.Instance);

    [Fact]
    public void KINLET_TOKEN_wins_over_every_file()
    {
        Write(UserToken, "from-file");
        var t = Find(new() { ["KINLET_TOKEN"] = " from-env\n" });
        Assert.Equal("from-env", t.Value);
        Assert.True(t.FromEnvironment);
        Assert.Equal(UserToken, t.Path);
    }

    [Fact]
    public void KINLET_STATE_DIR_token_is_the_only_file_tried()
    {
        var stateDir = Path.Combine(root, "state");
        Write(Path.Combine(stateDir, "token"), "state-token\n");
        Write(UserToken, "user-token");

        var t = Find(new() { ["KINLET_STATE_DIR"] = stateDir });

        Assert.Equal("state-token", t.Value);
        Assert.Equal(Path.Combine(stateDir, "token"), t.Path);
    }

    [Fact]
    public void Missing_state_dir_token_is_named_and_no_other_file_is_read()
    {
        Write(UserToken, "user-token");
        var stateDir = Path.Combine(root, "empty");
        var t = Find(new() { ["KINLET_STATE_DIR"] = stateDir });
        Assert.Null(t.Value);
        Assert.Equal(Path.Combine(stateDir, "token"), t.Path);
    }

    [Fact]
    public void Root_reads_the_system_state_dir()
    {
        Write(SystemToken, "system");
        Write(UserToken, "user");
        var t = Find([], isRoot: true);
        Assert.Equal("system", t.Value);
        Assert.Equal(SystemToken, t.Path);
    }

    [Fact]
    public void A_user_reads_the_home_state_dir_first()
    {
        Write(UserToken, "user");
        Write(SystemToken, "system");
        Assert.Equal("user", Find([]).Value);
    }

    [Fact]
    public void A_user_falls_back_to_the_system_token_when_it_is_readable()
    {
        Write(SystemToken, "system");
        var t = Find([]);
        Assert.Equal("system", t.Value);
        Assert.Equal(SystemToken, t.Path);
    }

    [Fact]
    public void HOME_from_the_environment_is_used()
    {
        var otherHome = Path.Combine(root, "other");
        Write(Path.Combine(otherHome, ".local", "share", "kinlet", "token"), "other-user");
        Assert.Equal("other-user", Find(new() { ["HOME"] = otherHome }).Value);
    }

    [Fact]
    public void With_no_token_anywhere_the_first_candidate_is_named()
    {
        var t = Find([]);
        Assert.Null(t.Value);
        Assert.Equal(UserToken, t.Path);
    }

    [Fact]
    public void A_token_file_that_exists_but_is_not_readable_is_the_one_named()
    {
        var files = new FakeFiles { [UserToken] = (TokenFileState.Missing, null), [SystemToken] = (TokenFileState.Unreadable, null) };
        var t = Find([], files: files);
        Assert.Null(t.Value);
        Assert.Equal(SystemToken, t.Path);
    }

    [Fact]
    public void An_empty_token_file_counts_as_no_token()
    {
        Write(UserToken, "  \n");
        Write(SystemToken, "system");
        Assert.Equal("system", Find([]).Value);
    }

    private sealed class FakeFiles : Dictionary<string, (TokenFileState, string?)>, ITokenFiles
    {
        public (TokenFileState State, string? Text) Read(string path) => TryGetValue(path, out var v) ? v : (TokenFileState.Missing, null);
    }
}
