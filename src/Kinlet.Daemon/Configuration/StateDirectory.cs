using System.Security.Cryptography;
using System.Text;

namespace Kinlet.Daemon.Configuration;

/// <summary>
/// The daemon's state dir: created owner-only; holds the API token (0600, made at first start),
/// the daemon id that marks this daemon's containers, and the store.
/// </summary>
public sealed class StateDirectory
{
    public StateDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        TokenPath = System.IO.Path.Combine(Path, "token");
        Token = ReadOrCreate(TokenPath, () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        DaemonId = ReadOrCreate(System.IO.Path.Combine(Path, "daemon-id"), () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
    }

    public string Path { get; }

    public string TokenPath { get; }

    public string Token { get; }

    public string DaemonId { get; }

    public byte[] TokenBytes => Encoding.UTF8.GetBytes(Token);

    private static string ReadOrCreate(string file, Func<string> create)
    {
        if (File.Exists(file))
        {
            var existing = File.ReadAllText(file).Trim();
            if (existing.Length > 0) return existing;
        }
        var value = create();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(value + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return value;
    }
}
