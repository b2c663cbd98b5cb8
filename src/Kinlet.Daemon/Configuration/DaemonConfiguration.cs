using Microsoft.Extensions.Configuration;

namespace Kinlet.Daemon.Configuration;

/// <summary>
/// Maps the documented flags (<c>--state-dir</c>) and variables (<c>KINLET_STATE_DIR</c>) onto configuration
/// keys (<c>Kinlet:StateDir</c>). Any other key can still be set with <c>--Kinlet:Serving:Domain x</c>
/// or <c>Kinlet__Serving__Domain</c>.
/// </summary>
public static class DaemonConfiguration
{
    private static readonly (string Flag, string Key)[] Settings =
    [
        ("state-dir", "Kinlet:StateDir"),
        ("api-port", "Kinlet:ApiPort"),
        ("api-address", "Kinlet:ApiAddress"),
        ("ingress-port", "Kinlet:IngressPort"),
        ("ingress-h2c-port", "Kinlet:IngressH2cPort"),
        ("ingress-address", "Kinlet:IngressAddress"),
        ("domain", "Kinlet:Domain"),
        ("docker-host", "Kinlet:DockerHost"),
        ("lifecycle-broker", "Kinlet:Eventing:LifecycleBroker"),
    ];

    public static IDictionary<string, string> SwitchMappings =>
        Settings.ToDictionary(s => "--" + s.Flag, s => s.Key);

    public static void AddKinletSources(this IConfigurationBuilder builder, string[] args, IDictionary<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        var fromEnv = new Dictionary<string, string?>();
        foreach (var (flag, key) in Settings)
        {
            var name = "KINLET_" + flag.Replace('-', '_').ToUpperInvariant();
            if (env.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)) fromEnv[key] = value;
        }
        builder.AddJsonFile("/etc/kinlet/appsettings.json", optional: true, reloadOnChange: false);
        builder.AddInMemoryCollection(fromEnv);
        // Flags last: they win over files and the environment.
        builder.AddCommandLine(args, SwitchMappings);
    }

    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "help");

    public static bool WantsVersion(string[] args) => args.Any(a => a is "--version");

    public const string Usage = """
        kinletd — the Kinlet daemon: serving, autoscaling and eventing on one Docker host.

        Usage: kinletd [options]

          --state-dir DIR      LiteDB store, token, logs (default ~/.local/share/kinlet; root: /var/lib/kinlet)
          --api-port N         control API port, on 127.0.0.1 (default 7070)
          --api-address ADDR   control API address (default 127.0.0.1)
          --ingress-port N     function traffic and broker ingress, HTTP/1.1 (default 8080)
          --ingress-h2c-port N function traffic over HTTP/2 cleartext, prior knowledge: gRPC (default 8081; 0: off)
          --domain D           host suffix for services (default localhost)
          --docker-host URI    engine endpoint, e.g. unix:///var/run/docker.sock
          --lifecycle-broker B kinletd's own events (dev.kinlet.*) go to this broker, NAME or NS/NAME (default: off)

        Each flag is also a variable (KINLET_STATE_DIR, KINLET_API_PORT, ...) and a key in
        /etc/kinlet/appsettings.json (Kinlet:StateDir, ...). Any setting can be given as --Kinlet:Section:Key value.
        """;
}
