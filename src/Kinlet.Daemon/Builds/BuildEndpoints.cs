using System.Text.Json;
using System.Threading.Channels;
using Kinlet.Containers;
using Kinlet.Containers.Builds;
using Kinlet.Core.Validation;

namespace Kinlet.Daemon.Builds;

/// <summary>
/// Kinlet's own API for <c>kinlet deploy</c>: is an image here, and build one from a tar context. The build runs on
/// the daemon's engine connection (the same <c>--docker-host</c> its containers run on), so the CLI needs no engine access.
/// </summary>
public static partial class BuildEndpoints
{
    public const string Group = "/apis/kinlet.dev/v1";

    /// <summary>A build context bigger than this is refused: a folder that large is almost always a missing .dockerignore.</summary>
    public const long MaxContextBytes = 1L << 30;

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    public static void MapBuildApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup(Group);

        // GET /apis/kinlet.dev/v1/images?name=kinlet.local/hello-fn:3f2a9c1b7d0e → {"name","id"} or 404.
        g.MapGet("/images", async (string? name, IImageBuilder builder, CancellationToken ct) =>
        {
            var image = CheckImage(name, "name");
            var found = await builder.FindImageAsync(image, ct).ConfigureAwait(false);
            return found is null
                ? Results.Json(new ErrorBody($"image {image} is not present on the engine", null), statusCode: StatusCodes.Status404NotFound)
                : Results.Json(new ImageBody(image, found.Id));
        });

        // POST /apis/kinlet.dev/v1/builds?image=REF[&dockerfile=PATH], body: the context as a tar.
        // Answers NDJSON as the build runs: {"line": "..."} per output line, then {"image","id"} or {"error","step","output"}.
        g.MapPost("/builds", BuildAsync);
    }

    private static async Task BuildAsync(HttpContext http, string? image, string? dockerfile, IImageBuilder builder, ILoggerFactory loggers)
    {
        var tag = CheckImage(image, "image");
        if (dockerfile is not null && (dockerfile.Length == 0 || dockerfile.StartsWith('/') || dockerfile.Contains("..", StringComparison.Ordinal)))
            throw new ValidationException("dockerfile", $"'{dockerfile}' is not a relative path inside the context");
        if (http.Request.ContentLength > MaxContextBytes)
            throw new BadHttpRequestException($"the build context is over {MaxContextBytes >> 20} MiB; add a .dockerignore", StatusCodes.Status413PayloadTooLarge);

        http.Response.ContentType = "application/x-ndjson";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.StartAsync(http.RequestAborted).ConfigureAwait(false);

        // The engine reports from its own reading loop; lines are handed to this request's writer through a channel.
        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var progress = new ChannelProgress(lines.Writer);
        var request = new ImageBuildRequest(http.Request.Body, tag, dockerfile,
            new Dictionary<string, string> { ["dev.kinlet.built-by"] = "kinlet deploy" });
        var build = RunAsync(builder, request, progress, lines.Writer, http.RequestAborted);

        var body = http.Response.Body;
        await foreach (var line in lines.Reader.ReadAllAsync(http.RequestAborted).ConfigureAwait(false))
        {
            await WriteAsync(body, new LineBody(line), http.RequestAborted).ConfigureAwait(false);
            if (!lines.Reader.TryPeek(out _)) await body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        }

        object result;
        try
        {
            var built = await build.ConfigureAwait(false);
            result = new ImageBody(tag, built.Id);
        }
        catch (ImageBuildException e)
        {
            result = new FailureBody(e.Message, e.Step, e.StepOutput);
        }
        catch (Exception e) when (e is EngineUnavailableException or ContainerEngineException)
        {
            LogBuildError(loggers.CreateLogger("Kinlet.Daemon.Builds"), tag, e.Message);
            result = new FailureBody(e.Message, null, []);
        }
        await WriteAsync(body, result, http.RequestAborted).ConfigureAwait(false);
        await body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<ImageInfo> RunAsync(IImageBuilder builder, ImageBuildRequest request, IProgress<string> progress, ChannelWriter<string> lines, CancellationToken ct)
    {
        try
        {
            return await builder.BuildAsync(request, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            lines.TryComplete();
        }
    }

    private static async Task WriteAsync<T>(Stream body, T value, CancellationToken ct)
    {
        await JsonSerializer.SerializeAsync(body, value, BuildJson.Options, ct).ConfigureAwait(false);
        await body.WriteAsync(NewLine, ct).ConfigureAwait(false);
    }

    /// <summary>A reference the build can tag: the core's image-reference rules, plus a tag and no digest.</summary>
    private static string CheckImage(string? image, string field)
    {
        if (string.IsNullOrWhiteSpace(image)) throw new ValidationException(field, "an image reference is required (e.g. kinlet.local/hello-fn:3f2a9c1b7d0e)");
        if (Names.ValidateImageReference(image) is { } problem) throw new ValidationException(field, $"'{image}' {problem}");
        if (image.Contains('@', StringComparison.Ordinal) || !image[(image.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal))
            throw new ValidationException(field, $"'{image}' needs a tag and no digest (name:tag)");
        return image;
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Build of {Image} could not run: {Error}")]
    private static partial void LogBuildError(ILogger logger, string image, string error);

    private sealed class ChannelProgress(ChannelWriter<string> writer) : IProgress<string>
    {
        public void Report(string value) => writer.TryWrite(value);
    }

    private sealed record LineBody(string Line);
    private sealed record ImageBody(string Image, string Id);
    private sealed record FailureBody(string Error, string? Step, IReadOnlyList<string> Output);
    private sealed record ErrorBody(string Error, string? Field);

    private static class BuildJson
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
    }
}
