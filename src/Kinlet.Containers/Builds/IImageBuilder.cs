namespace Kinlet.Containers.Builds;

/// <summary>
/// Builds images from a tar build context through the engine (no registry involved). Separate from
/// <see cref="IContainerRuntime"/> because only the build endpoint needs it.
/// </summary>
public interface IImageBuilder
{
    /// <summary>The local image by that reference, or null when the engine has none.</summary>
    Task<ImageInfo?> FindImageAsync(string image, CancellationToken cancellationToken);

    /// <summary>
    /// Builds <paramref name="request"/>'s context and tags the result, reporting the engine's output line by line.
    /// A failing step is an <see cref="ImageBuildException"/> naming the step and its last output lines.
    /// </summary>
    Task<ImageInfo> BuildAsync(ImageBuildRequest request, IProgress<string>? progress, CancellationToken cancellationToken);
}

/// <param name="Context">A tar stream: the build context, Dockerfile included.</param>
/// <param name="Tag">The reference the result is tagged with (e.g. <c>kinlet.local/hello-fn:3f2a9c1b7d0e</c>).</param>
/// <param name="Dockerfile">The Dockerfile's path inside the context; null: <c>Dockerfile</c>.</param>
/// <param name="Labels">Labels set on the image.</param>
public sealed record ImageBuildRequest(Stream Context, string Tag, string? Dockerfile, IReadOnlyDictionary<string, string> Labels);

/// <summary>A build that ran and failed: the step it failed at and what that step printed last.</summary>
public sealed class ImageBuildException(string message, string? step, IReadOnlyList<string> stepOutput)
    : Exception(message)
{
    /// <summary>The engine's step line (<c>Step 5/9 : RUN dotnet publish ...</c>), when one had started.</summary>
    public string? Step { get; } = step;

    /// <summary>The failing step's last output lines (bounded).</summary>
    public IReadOnlyList<string> StepOutput { get; } = stepOutput;
}
