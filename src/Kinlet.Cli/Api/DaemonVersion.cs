namespace Kinlet.Cli.Api;

/// <summary>GET /version.</summary>
internal sealed class DaemonVersion
{
    public string? Version { get; set; }
    public string? Domain { get; set; }
    public int? IngressPort { get; set; }
    public int? IngressH2cPort { get; set; }
}
