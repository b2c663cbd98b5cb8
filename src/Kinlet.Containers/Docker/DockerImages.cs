using Docker.DotNet.Models;

namespace Kinlet.Containers.Docker;

/// <summary>Images: is it here, and if not, pull it (bounded, with progress).</summary>
internal sealed class DockerImages(DockerEngine engine)
{
    public async Task<ImageInfo> EnsureAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken, RegistryCredentials? credentials = null)
    {
        if (await InspectAsync(image, cancellationToken).ConfigureAwait(false) is { } local) return local;

        DockerLog.Pulling(engine.Logger, image);
        // At once, before the engine's first message: resolving and authenticating can take a while.
        progress?.Report("Pulling " + image);
        var started = engine.Time.GetTimestamp();
        var (name, tag) = ImageReference.Split(image);
        var pullProgress = new PullProgress(image, progress, engine.Time);
        try
        {
            await engine.CallAsync("pull", (client, ct) => client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = name, Tag = tag }, AuthOf(credentials), pullProgress, ct),
                cancellationToken, engine.Options.PullTimeout).ConfigureAwait(false);
        }
        catch (ContainerEngineException e)
        {
            // DNS failure, unknown repository, unauthorized: the engine refuses before it streams anything.
            throw Unavailable(image, "not found locally and pull failed: " + e.EngineMessage, e);
        }
        catch (EngineUnavailableException e) when (e.InnerException is TimeoutException)
        {
            throw Unavailable(image, $"not found locally and the pull did not finish within {engine.Options.PullTimeout.TotalMinutes:0.#} min", e);
        }

        // Failures that come after the stream has started (manifest unknown, a layer that fails) arrive as
        // errorDetail messages in a 200 response, which Docker.DotNet does not turn into exceptions.
        if (pullProgress.Error is { } error)
            throw Unavailable(image, "not found locally and pull failed: " + error, null);

        var pulled = await InspectAsync(image, cancellationToken).ConfigureAwait(false)
            ?? throw Unavailable(image, "the pull reported success but the image is not there", null);
        DockerLog.Pulled(engine.Logger, image, engine.Time.GetElapsedTime(started).TotalMilliseconds);
        return pulled;
    }

    /// <summary>The local image by that reference, or null when the engine has none.</summary>
    public async Task<ImageInfo?> InspectAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var info = await engine.CallAsync("image inspect", (client, ct) => client.Images.InspectImageAsync(image, ct), cancellationToken).ConfigureAwait(false);
            return new ImageInfo(info.ID, info.RepoDigests?.FirstOrDefault(), info.Config?.User);
        }
        catch (ContainerEngineException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    // Docker.DotNet sends this as the X-Registry-Auth header of the pull.
    internal static AuthConfig? AuthOf(RegistryCredentials? c) => c is null ? null : new AuthConfig
    {
        ServerAddress = c.ServerAddress,
        Username = c.Username,
        Password = c.Password,
        IdentityToken = c.IdentityToken,
    };

    private ImageUnavailableException Unavailable(string image, string reason, Exception? inner)
    {
        DockerLog.PullFailed(engine.Logger, image, reason);
        return new ImageUnavailableException(image, reason, inner);
    }
}
