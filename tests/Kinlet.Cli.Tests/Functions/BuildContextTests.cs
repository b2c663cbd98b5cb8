using System.Formats.Tar;
using System.Text;
using Kinlet.Cli.Functions;

namespace Kinlet.Cli.Tests.Functions;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BuildContextTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kinlet-ctx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string path, string text)
    {
        var full = Path.Combine(_dir, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private static readonly GeneratedFile Dockerfile = new("Dockerfile", Encoding.UTF8.GetBytes("FROM x\n"), false);

    [Fact]
    public void Same_content_gives_the_same_hash_whatever_the_file_times()
    {
        Write("handler.js", "a");
        Write("lib/util.js", "b");
        var first = BuildContext.Collect(_dir, [], [Dockerfile]);
        File.SetLastWriteTimeUtc(Path.Combine(_dir, "handler.js"), DateTime.UtcNow.AddDays(-3));
        var second = BuildContext.Collect(_dir, [], [Dockerfile]);
        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(12, first.Tag.Length);
        Assert.Equal(["Dockerfile", "handler.js", "lib/util.js"], first.Files.Select(f => f.Path));
    }

    [Fact]
    public void A_changed_byte_a_new_file_or_a_mode_change_gives_a_new_hash()
    {
        Write("handler.js", "a");
        var before = BuildContext.Collect(_dir, [], [Dockerfile]).Hash;
        Write("handler.js", "b");
        var edited = BuildContext.Collect(_dir, [], [Dockerfile]).Hash;
        Write("extra.js", "");
        var added = BuildContext.Collect(_dir, [], [Dockerfile]).Hash;
        File.SetUnixFileMode(Path.Combine(_dir, "extra.js"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var chmod = BuildContext.Collect(_dir, [], [Dockerfile]).Hash;
        Assert.Equal(4, new[] { before, edited, added, chmod }.Distinct().Count());
    }

    [Fact]
    public void Dockerignore_and_built_in_ignores_leave_files_out_but_the_dockerfile_always_goes()
    {
        Write("handler.py", "x");
        Write("kinlet.yaml", "name: a");
        Write(".git/HEAD", "ref");
        Write("notes/todo.txt", "x");
        Write("Dockerfile", "FROM y");
        Write(".dockerignore", "notes\nDockerfile\n");
        var context = BuildContext.Collect(_dir, FunctionLanguages.BuiltInIgnores("python"), []);
        Assert.Equal([".dockerignore", "Dockerfile", "handler.py"], context.Files.Select(f => f.Path));

        // Editing kinlet.yaml (scale, env) never changes the image.
        var hash = context.Hash;
        Write("kinlet.yaml", "name: a\nscale: {min: 1}");
        Assert.Equal(hash, BuildContext.Collect(_dir, FunctionLanguages.BuiltInIgnores("python"), []).Hash);
    }

    [Fact]
    public void The_tar_holds_every_file_owned_by_root_with_normalised_modes()
    {
        Write("run.sh", "echo");
        File.SetUnixFileMode(Path.Combine(_dir, "run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Write("data.txt", "d");
        var context = BuildContext.Collect(_dir, [], [Dockerfile]);
        using var tar = new MemoryStream();
        context.WriteTar(tar);
        tar.Position = 0;
        using var reader = new TarReader(tar);
        var entries = new Dictionary<string, TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } e) entries[e.Name] = e;
        Assert.Equal(["Dockerfile", "data.txt", "run.sh"], entries.Keys.Order());
        Assert.Equal(0, entries["run.sh"].Uid);
        Assert.True((entries["run.sh"].Mode & UnixFileMode.OtherExecute) != 0);
        Assert.True((entries["data.txt"].Mode & UnixFileMode.UserExecute) == 0);
        using var content = new StreamReader(entries["Dockerfile"].DataStream!);
        Assert.Equal("FROM x\n", content.ReadToEnd());
    }
}
