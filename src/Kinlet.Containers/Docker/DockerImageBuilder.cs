using Docker.DotNet.Models;
using Kinlet.Containers.Builds;

namespace Kinlet.Containers.Docker;

/// <summary>Image builds through the engine's build endpoint (the classic builder: no buildx needed).</summary>
internal sealed class DockerImageBuilder(DockerEngine engine, DockerImages images)
{
    public async Task<ImageInfo> BuildAsync(ImageBuildRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var output = new BuildOutput(progress);
        var parameters = new ImageBuildParameters
        {
            Tags = [request.Tag],
            Dockerfile = request.Dockerfile,
            Labels = new Dictionary<string, string>(request.Labels),
            // Intermediate containers go, whether the build works or not.
            Remove = true,
            ForceRemove = true,
        };
        DockerLog.Building(engine.Logger, request.Tag);
        var started = engine.Time.GetTimestamp();
        try
        {
            await engine.CallAsync("build", (client, ct) => client.Images.BuildImageFromDockerfileAsync(
                parameters, request.Context, authConfigs: null, headers: null, output, ct),
                cancellationToken, engine.Options.BuildTimeout).ConfigureAwait(false);
        }
        catch (ContainerEngineException e)
        {
            // Refused before any step ran: a context that is not a tar, a missing Dockerfile.
            output.Flush();
            throw Failed(request.Tag, e.EngineMessage, output);
        }
        output.Flush();
        // A failing step arrives as an error message inside a 200 stream.
        if (output.Error is { } error) throw Failed(request.Tag, error, output);

        var built = await images.InspectAsync(request.Tag, cancellationToken).ConfigureAwait(false)
            ?? throw Failed(request.Tag, "the engine reported success but the image is not there", output);
        DockerLog.Built(engine.Logger, request.Tag, engine.Time.GetElapsedTime(started).TotalMilliseconds);
        return built;
    }

    private ImageBuildException Failed(string tag, string error, BuildOutput output)
    {
        DockerLog.BuildFailed(engine.Logger, tag, output.Step ?? "(before the first step)", error);
        return new ImageBuildException(error, output.Step, output.StepTail);
    }
}
