namespace Kinlet.Containers.Docker;

/// <summary>How to reach the engine and how long to wait for it. Mutable so that options binding and <c>Configure</c> can set it.</summary>
public sealed record DockerRuntimeOptions
{
    /// <summary>Where the bounds are read from in kinletd's configuration (<c>--Kinlet:Docker:CallTimeout 00:00:10</c>).</summary>
    public const string Section = "Kinlet:Docker";

    /// <summary>Engine endpoint (unix:///var/run/docker.sock, tcp://..., a podman socket); null: $DOCKER_HOST, else the default socket.</summary>
    public string? DockerHost { get; set; }

    /// <summary>Bound on every engine call but pulls and event streams ("Docker has a tendency to get stuck").</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound on one image pull, so a stalled registry cannot hold a revision forever.</summary>
    public TimeSpan PullTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Bound on one image build (a first .NET build restores and compiles on a small machine).</summary>
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The endpoint these options name: <see cref="DockerHost"/>, else $DOCKER_HOST, else the platform's default socket.</summary>
    public Uri EndpointUri()
    {
        var host = DockerHost;
        if (string.IsNullOrWhiteSpace(host)) host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(host))
            host = OperatingSystem.IsWindows() ? "npipe://./pipe/docker_engine" : "unix:///var/run/docker.sock";
        return new Uri(host);
    }
}
