namespace Kinlet.Containers.Docker;

/// <summary>Splits an image reference into what the engine's pull takes: repository and tag (or digest).</summary>
public static class ImageReference
{
    public static (string Name, string Tag) Split(string image)
    {
        var at = image.IndexOf('@');
        if (at >= 0) return (image[..at], image[(at + 1)..]);
        // A colon after the last slash is a tag; one before it belongs to a registry host:port.
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}
