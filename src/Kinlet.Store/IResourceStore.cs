namespace Kinlet.Store;

/// <summary>
/// Durable store of resources, addressed by (kind, namespace, name). Values are Core model objects,
/// kept as their Knative JSON so a stored resource reads back exactly as it was written.
/// LiteDB is synchronous and local; calls are short, so the interface is too.
/// </summary>
public interface IResourceStore
{
    T? Get<T>(string kind, string @namespace, string name) where T : class;

    /// <summary>All resources of a kind, in one namespace or (null) all namespaces, ordered by namespace then name.</summary>
    IReadOnlyList<T> List<T>(string kind, string? @namespace) where T : class;

    void Put<T>(string kind, string @namespace, string name, T value) where T : class;

    bool Delete(string kind, string @namespace, string name);

    /// <summary>Applies several writes atomically: all of them land, or none.</summary>
    void Write(Action<IResourceWriter> writes);
}

public interface IResourceWriter
{
    void Put<T>(string kind, string @namespace, string name, T value) where T : class;
    bool Delete(string kind, string @namespace, string name);
}

/// <summary>Kinds as stored (the Knative kind names).</summary>
public static class Kinds
{
    public const string Service = "Service";
    public const string Configuration = "Configuration";
    public const string Route = "Route";
    public const string Revision = "Revision";
    public const string Broker = "Broker";
    public const string Trigger = "Trigger";
    public const string PingSource = "PingSource";
    public const string ConfigMap = "ConfigMap";
    public const string VirtualService = "VirtualService";
    public const string DestinationRule = "DestinationRule";
}
