namespace Kinlet.Cli.Commands.Invoke;

/// <summary>
/// Where <c>invoke</c> sends a request: to the daemon's host (from <c>--api</c>) on the port of the
/// service URL, with the URL's authority as the Host header. So it works without any DNS for
/// <c>*.localhost</c>, and through an SSH tunnel to a remote daemon.
/// </summary>
internal sealed record InvokeTarget(Uri RequestUri, string Host)
{
    public static InvokeTarget Resolve(Uri api, string serviceUrl, string? path)
    {
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var url))
            throw new CliException($"the service URL '{serviceUrl}' is not a URL");
        path = string.IsNullOrEmpty(path) ? "/" : path.StartsWith('/') ? path : "/" + path;
        var request = new Uri($"{url.Scheme}://{api.Host}:{url.Port}{path}");
        return new InvokeTarget(request, url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}");
    }
}
