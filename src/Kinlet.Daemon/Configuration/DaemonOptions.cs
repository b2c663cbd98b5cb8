namespace Kinlet.Daemon.Configuration;

/// <summary>kinletd's own settings (section "Kinlet"); each is also a flag and a KINLET_ variable (DESIGN.md contract).</summary>
public sealed class DaemonOptions
{
    public const string Section = "Kinlet";

    /// <summary>LiteDB file, token, daemon id, logs. Default: ~/.local/share/kinlet, or /var/lib/kinlet as root.</summary>
    public string? StateDir { get; set; }

    public int ApiPort { get; set; } = 7070;

    /// <summary>The control API listens on loopback only, unless told otherwise.</summary>
    public string ApiAddress { get; set; } = "127.0.0.1";

    public int IngressPort { get; set; } = 8080;

    /// <summary>
    /// HTTP/2 cleartext with prior knowledge (gRPC clients' <c>-plaintext</c>), on the ingress address; 0 turns it off.
    /// A port of its own because Kestrel speaks only HTTP/1.1 on a cleartext endpoint that allows both (no ALPN to choose).
    /// </summary>
    public int IngressH2cPort { get; set; } = 8081;

    /// <summary>Any address by default: containers reach the ingress through host.docker.internal (the bridge gateway).</summary>
    public string IngressAddress { get; set; } = "*";

    public string Domain { get; set; } = "localhost";

    /// <summary>The engine endpoint, e.g. unix:///var/run/docker.sock or a podman socket; default: $DOCKER_HOST or the engine's default socket.</summary>
    public string? DockerHost { get; set; }

    public static string DefaultStateDir() =>
        Environment.UserName == "root" || (OperatingSystem.IsLinux() && geteuid() == 0)
            ? "/var/lib/kinlet"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "kinlet");

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
