namespace Kinlet.Containers.Docker;

/// <summary>Splits an image reference into what the engine's pull takes: <c>fromImage</c> and <c>tag</c> (a tag or a digest).</summary>
public static class ImageReference
{
    /// <example>
    /// <c>busybox</c> → (busybox, latest); <c>localhost:5000/app:v2</c> → (localhost:5000/app, v2);
    /// <c>app:v2@sha256:ab..</c> → (app, sha256:ab..): the digest wins over the tag, as in the docker CLI.
    /// </example>
    public static (string Name, string Tag) Split(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) return (StripTag(image[..at]), image[(at + 1)..]);
        var name = StripTag(image);
        return name.Length < image.Length ? (name, image[(name.Length + 1)..]) : (image, "latest");
    }

    // A colon after the last slash starts a tag; one before it belongs to a registry's host:port.
    private static string StripTag(string name)
    {
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        return colon > slash ? name[..colon] : name;
    }
}
