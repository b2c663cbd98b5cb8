using System.Text;
using System.Text.Json;
using Kinlet.Containers;
using Kinlet.Core.Validation;

namespace Kinlet.Serving.Secrets;

/// <summary>
/// <c>imagePullSecrets</c>: picks the credentials for an image's registry from <c>kubernetes.io/dockerconfigjson</c>
/// secrets, as the kubelet does (the first secret, in the order listed, with an entry for the image's registry host).
/// Pure: the secrets' payloads come in as bytes; nothing here logs or prints a value.
/// </summary>
public static class PullSecrets
{
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string DockerConfigJsonKey = ".dockerconfigjson";
    public const string DockerHub = "docker.io";
    private const string DockerHubServerAddress = "https://index.docker.io/v1/";

    /// <summary>A secret of type dockerconfigjson must hold <c>.dockerconfigjson</c> with an <c>auths</c> object; the message never quotes it.</summary>
    public static FieldError? ValidateDockerConfig(IReadOnlyDictionary<string, byte[]> data)
    {
        if (!data.TryGetValue(DockerConfigJsonKey, out var json))
            return new FieldError("data[.dockerconfigjson]", $"required for type {DockerConfigJsonType}");
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
                return new FieldError("data[.dockerconfigjson]", "must be a JSON object with an \"auths\" object");
        }
        catch (JsonException)
        {
            return new FieldError("data[.dockerconfigjson]", "must be valid JSON");
        }
        return null;
    }

    /// <summary>
    /// The registry an image is pulled from, as the docker CLI decides: the first path component when it has a dot,
    /// a colon or is <c>localhost</c>; else Docker Hub.
    /// </summary>
    public static string RegistryHost(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) return DockerHub;
        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"
            ? NormalizeHost(first)
            : DockerHub;
    }

    /// <summary>The credentials for <paramref name="image"/> from the first config with an entry for its registry; null when none has one.</summary>
    public static RegistryCredentials? Select(string image, IEnumerable<byte[]> dockerConfigs)
    {
        var host = RegistryHost(image);
        foreach (var json in dockerConfigs)
        {
            if (Find(json, host) is { } found) return found;
        }
        return null;
    }

    private static RegistryCredentials? Find(byte[] json, string host)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object) return null;
            foreach (var entry in auths.EnumerateObject())
            {
                if (!string.Equals(NormalizeHost(entry.Name), host, StringComparison.OrdinalIgnoreCase) || entry.Value.ValueKind != JsonValueKind.Object) continue;
                var user = Str(entry.Value, "username");
                var password = Str(entry.Value, "password");
                // "auth" is base64 of "user:password", what `docker login` writes.
                if (user is null && Str(entry.Value, "auth") is { } auth && TryDecode(auth) is { } pair && pair.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                {
                    user = pair[..colon];
                    password = pair[(colon + 1)..];
                }
                var token = Str(entry.Value, "identitytoken");
                if (user is null && token is null) continue;
                return new RegistryCredentials(host == DockerHub ? DockerHubServerAddress : host, user, password, token);
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    /// <summary>
    /// A key of <c>auths</c> as a host: <c>https://index.docker.io/v1/</c> → docker.io, <c>registry.example:5000/v2</c> →
    /// registry.example:5000. Docker Hub has several names; they are all one.
    /// </summary>
    internal static string NormalizeHost(string key)
    {
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) host = host[..slash];
        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" or DockerHub ? DockerHub : host;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static string? TryDecode(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
