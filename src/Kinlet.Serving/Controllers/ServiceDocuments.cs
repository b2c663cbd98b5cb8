using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Serving.Controllers;

/// <summary>Small helpers the service pieces share: canonical comparison, versions, child metadata.</summary>
internal static class ServiceDocuments
{
    public static string Canonical<T>(T value) => CanonicalJson.Of(value);

    public static string NextVersion(string? version) =>
        (long.TryParse(version, out var v) ? v + 1 : 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static ObjectMeta ChildMeta(Service service, DateTimeOffset now, long generation) => new()
    {
        Name = service.Metadata.Name,
        Namespace = service.Metadata.Namespace,
        Uid = Guid.NewGuid().ToString(),
        Generation = generation,
        CreationTimestamp = now,
        Labels = new Dictionary<string, string> { [KnownKeys.ServiceLabel] = service.Metadata.Name! },
    };
}
