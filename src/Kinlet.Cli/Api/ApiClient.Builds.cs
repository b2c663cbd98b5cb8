using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Kinlet.Cli.Api;

/// <summary>The outcome of one build: the image, or the failure the daemon reported in the stream.</summary>
internal sealed record BuildResult(string? Image, string? Id, string? Error, string? Step, IReadOnlyList<string> Output)
{
    public bool Succeeded => Error is null && Image is not null;
}

/// <summary><c>kinlet deploy</c>'s calls: Kinlet's own image and build endpoints (<c>/apis/kinlet.dev/v1</c>).</summary>
internal sealed partial class ApiClient
{
    /// <summary>A first .NET build restores and compiles on a small machine; the daemon bounds it too.</summary>
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The image's id when the daemon's engine has it, else null.</summary>
    public async Task<string?> FindImageAsync(string image, CancellationToken ct)
    {
        try
        {
            var found = await SendAsync<JsonElement>(HttpMethod.Get, ApiPaths.Image(image), null, ct).ConfigureAwait(false);
            return found.TryGetProperty("id", out var id) ? id.GetString() : null;
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Sends the tar <paramref name="context"/> to be built and tagged <paramref name="image"/>, handing each output line
    /// to <paramref name="onLine"/> as it arrives.
    /// </summary>
    public async Task<BuildResult> BuildAsync(Stream context, string image, string? dockerfile, Action<string> onLine, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUrl, ApiPaths.Build(image, dockerfile)));
        if (Token.Value is { } t) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t);
        request.Content = new StreamContent(context);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        if (context.CanSeek) request.Content.Headers.ContentLength = context.Length - context.Position;

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(BuildTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutCts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(timeoutCts.Token).ConfigureAwait(false);
                throw ToApiException(response.StatusCode, text, null);
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeoutCts.Token).ConfigureAwait(false));
            while (await reader.ReadLineAsync(timeoutCts.Token).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) continue;
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.TryGetProperty("line", out var l))
                {
                    onLine(l.GetString() ?? "");
                    continue;
                }
                if (root.TryGetProperty("error", out var error))
                {
                    var output = root.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.Array
                        ? o.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
                        : [];
                    return new BuildResult(null, null, error.GetString() ?? "the build failed",
                        root.TryGetProperty("step", out var s) ? s.GetString() : null, output);
                }
                return new BuildResult(root.GetProperty("image").GetString(), root.GetProperty("id").GetString(), null, null, []);
            }
            throw new CliException($"kinletd ended the build of {image} without a result");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"the build of {image} did not finish within {BuildTimeout.TotalMinutes:0} min");
        }
        catch (HttpRequestException e)
        {
            throw ConnectionFailure(e, " during the build");
        }
        catch (JsonException e)
        {
            throw new CliException($"kinletd sent build output the CLI cannot read: {e.Message}");
        }
    }
}
