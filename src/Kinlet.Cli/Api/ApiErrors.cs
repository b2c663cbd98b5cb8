using System.Net;

namespace Kinlet.Cli.Api;

/// <summary>kinletd answered with a 4xx/5xx: its <c>{"error","field"}</c> body, or a fallback message.</summary>
internal sealed class ApiException(HttpStatusCode status, string message, string? field = null, string? context = null)
    : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    /// <summary>The field the daemon named as wrong, e.g. <c>spec.template.spec.containers[0].image</c>.</summary>
    public string? Field { get; } = field;
    /// <summary>What the CLI was doing (a file and resource in <c>apply</c>), prefixed to the error line.</summary>
    public string? Context { get; } = context;

    public ApiException WithContext(string context) => new(Status, Message, Field, context);
}

/// <summary>Nothing answers at the API URL (connection refused, unknown host, timeout connecting).</summary>
internal sealed class DaemonUnreachableException(string apiUrl, Exception? inner = null)
    : Exception($"kinletd is not answering at {apiUrl}", inner)
{
    public string ApiUrl { get; } = apiUrl;
}
