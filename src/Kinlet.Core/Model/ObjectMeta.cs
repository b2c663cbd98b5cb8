namespace Kinlet.Core.Model;

/// <summary>Kubernetes object metadata, the subset Kinlet keeps.</summary>
public sealed class ObjectMeta
{
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? Uid { get; set; }
    public long? Generation { get; set; }
    public string? ResourceVersion { get; set; }
    public DateTimeOffset? CreationTimestamp { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }

    public string? Annotation(string key) =>
        Annotations is not null && Annotations.TryGetValue(key, out var v) ? v : null;

    public string? Label(string key) =>
        Labels is not null && Labels.TryGetValue(key, out var v) ? v : null;
}

/// <summary>Metadata of a list response.</summary>
public sealed class ListMeta
{
    public string? ResourceVersion { get; set; }
}

/// <summary>A Kubernetes-style list: <c>{"apiVersion","kind":"ServiceList","items":[...]}</c>.</summary>
public sealed class ResourceList<T>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public ListMeta Metadata { get; set; } = new();
    public List<T> Items { get; set; } = [];
}
