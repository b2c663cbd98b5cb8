using System.CommandLine;
using System.Reflection;
using Kinlet.Cli.Api;
using Kinlet.Core.Json;

namespace Kinlet.Cli.Commands.Version;

/// <summary><c>kinlet version</c>: the client's version, and the daemon's when it answers (never an error when it does not).</summary>
internal sealed class VersionVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the versions");

    protected override Command Create() => new("version", "Show the client's and the daemon's versions") { output };

    public static string ClientVersion
    {
        get
        {
            var v = typeof(VersionVerb).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            var plus = v.IndexOf('+', StringComparison.Ordinal); // drop the source-revision suffix
            return plus > 0 ? v[..plus] : v;
        }
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var api = Context.Api(r);
        DaemonVersion? server = null;
        string? problem = null;
        try
        {
            server = await api.GetVersionAsync(ct).ConfigureAwait(false);
        }
        catch (DaemonUnreachableException)
        {
            problem = $"not answering at {api.DisplayUrl}";
        }
        catch (ApiException e)
        {
            problem = e.Status == System.Net.HttpStatusCode.Unauthorized
                ? $"refused the token (401); the token is in {api.Token.Path}"
                : $"{api.DisplayUrl} answered {(int)e.Status}: {e.Message}";
        }

        if (output.IsMachine)
        {
            var doc = new VersionInfo(new ClientInfo(ClientVersion), server is null ? null : new ServerInfo(api.DisplayUrl, server.Version, server.Domain, server.IngressPort, server.IngressH2cPort), problem);
            if (output.Format == Output.OutputFormat.Json) Context.Host.Stdout.WriteLine(KinletJson.Serialize(doc, indented: true));
            else output.Resource(doc);
            return ExitCodes.Success;
        }
        output.Line($"Client: {ClientVersion}");
        output.Line(server is null
            ? $"Server: {problem}"
            : $"Server: {server.Version} at {api.DisplayUrl} (domain {server.Domain}, ingress port {server.IngressPort}{H2c(server.IngressH2cPort)})");
        return ExitCodes.Success;
    }

    private sealed record VersionInfo(ClientInfo Client, ServerInfo? Server, string? ServerError);
    private sealed record ClientInfo(string Version);
    private sealed record ServerInfo(string Url, string? Version, string? Domain, int? IngressPort, int? IngressH2cPort);

    /// <summary>", h2c port 8081" (gRPC clients' port); nothing when it is off or the daemon is older.</summary>
    private static string H2c(int? port) => port is > 0 ? $", h2c port {port}" : "";
}
