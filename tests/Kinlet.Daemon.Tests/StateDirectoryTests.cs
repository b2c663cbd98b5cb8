using Kinlet.Daemon.Configuration;

namespace Kinlet.Daemon.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StateDirectoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kinlet-state-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Token_is_created_once_readable_only_by_its_owner()
    {
        var first = new StateDirectory(_dir);
        Assert.Equal(64, first.Token.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.TokenPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
        var second = new StateDirectory(_dir);
        Assert.Equal(first.Token, second.Token);
        Assert.Equal(first.DaemonId, second.DaemonId);
    }

    [Fact]
    public void Different_state_dirs_get_different_tokens_and_daemon_ids()
    {
        var a = new StateDirectory(Path.Combine(_dir, "a"));
        var b = new StateDirectory(Path.Combine(_dir, "b"));
        Assert.NotEqual(a.Token, b.Token);
        Assert.NotEqual(a.DaemonId, b.DaemonId);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
