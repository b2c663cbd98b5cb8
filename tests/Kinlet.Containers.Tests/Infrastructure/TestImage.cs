using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Kinlet.Containers.Tests.Infrastructure;

/// <summary>
/// A two-megabyte image for the tests, made here rather than pulled (there is no registry): a busybox-static
/// rootfs with an httpd document root, imported through the Engine API. Made once per test run.
/// </summary>
public static class TestImage
{
    public const string Name = "kinlet.local/containers-test-busybox:1";
    public const string Index = "hello from kinlet\n";

    private static readonly string[] Applets =
        ["sh", "httpd", "sleep", "echo", "nc", "cat", "test", "true", "false", "head", "tr", "env", "ls", "id"];

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _present;

    public static async Task EnsureAsync(DockerClient client, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (_present) return;
            try
            {
                await client.Images.InspectImageAsync(Name, cancellationToken);
                _present = true;
                return;
            }
            catch (DockerImageNotFoundException)
            {
            }
            using var rootfs = BuildRootfs();
            var (repo, tag) = (Name[..Name.LastIndexOf(':')], Name[(Name.LastIndexOf(':') + 1)..]);
            var errors = new List<string>();
            await client.Images.CreateImageAsync(
                new ImagesCreateParameters
                {
                    FromSrc = "-",
                    Repo = repo,
                    Tag = tag,
                    Changes = ["ENV PATH=/bin", "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]"],
                },
                rootfs, null, new Collect(errors), cancellationToken);
            if (errors.Count > 0) throw new InvalidOperationException("importing the test image failed: " + string.Join("; ", errors));
            await client.Images.InspectImageAsync(Name, cancellationToken);
            _present = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static MemoryStream BuildRootfs()
    {
        var busybox = "/usr/bin/busybox";
        if (!File.Exists(busybox)) busybox = "/bin/busybox";
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            Directory(writer, "bin/");
            Directory(writer, "www/");
            Directory(writer, "tmp/", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
            using (var binary = File.OpenRead(busybox))
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox")
                {
                    DataStream = binary,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                });
            }
            foreach (var applet in Applets)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "www/index.html")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(Index)),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            });
        }
        tar.Position = 0;
        return tar;
    }

    private static void Directory(TarWriter writer, string name, UnixFileMode? mode = null) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name)
        {
            Mode = mode ?? (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute),
        });

    private sealed class Collect(List<string> errors) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value)
        {
            if (value.Error?.Message is { Length: > 0 } e) errors.Add(e);
            else if (value.ErrorMessage is { Length: > 0 } m) errors.Add(m);
        }
    }
}
