using System.Globalization;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Store;

namespace Kinlet.Serving.ConfigMaps;

/// <summary>
/// ConfigMap resources (Kubernetes v1 shape) in the resource store: validated (<see cref="ConfigMapValidator"/>),
/// stored with uid, creation time and a resourceVersion that grows with every write, and announced on the
/// <see cref="ConfigChangeFeed"/> once stored. Not secret: reads return the data.
/// </summary>
public sealed class ConfigMapController(IResourceStore store, ConfigChangeFeed changes, TimeProvider time)
{
    // Read-check-write of one ConfigMap must not interleave with another's; the store calls are short and synchronous.
    private readonly Lock _gate = new();

    public IReadOnlyList<ConfigMap> List(string? @namespace) => store.List<ConfigMap>(Kinds.ConfigMap, @namespace);

    public ConfigMap Get(string @namespace, string name) =>
        store.Get<ConfigMap>(Kinds.ConfigMap, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.ConfigMap, name);

    /// <summary>The ConfigMap, or null when there is none (for the instance launcher).</summary>
    public ConfigMap? Find(string @namespace, string name) => store.Get<ConfigMap>(Kinds.ConfigMap, @namespace, name);

    /// <summary>Creates the ConfigMap (409 when it exists, unless <paramref name="replace"/>). An immutable one keeps its data.</summary>
    public ConfigMap Apply(ConfigMap configMap, string @namespace, bool replace)
    {
        configMap.Metadata ??= new ObjectMeta();
        var ns = string.IsNullOrEmpty(configMap.Metadata.Namespace) ? @namespace : configMap.Metadata.Namespace;
        configMap.Metadata.Namespace = ns;
        var errors = ConfigMapValidator.Validate(configMap);
        if (errors.Count > 0) throw new ValidationException(errors);
        var name = configMap.Metadata.Name!;
        ConfigMap stored;
        lock (_gate)
        {
            var existing = store.Get<ConfigMap>(Kinds.ConfigMap, ns, name);
            if (existing is not null && !replace) throw new ResourceConflictException($"configmap \"{name}\" already exists", "metadata.name");
            if (existing?.Immutable == true) CheckImmutable(existing, configMap);
            stored = new ConfigMap
            {
                Metadata = new ObjectMeta
                {
                    Name = name,
                    Namespace = ns,
                    Uid = existing?.Metadata.Uid ?? Guid.NewGuid().ToString(),
                    CreationTimestamp = existing?.Metadata.CreationTimestamp ?? time.GetUtcNow(),
                    ResourceVersion = (Version(existing) + 1).ToString(CultureInfo.InvariantCulture),
                    Labels = configMap.Metadata.Labels is { Count: > 0 } l ? l : null,
                    Annotations = configMap.Metadata.Annotations is { Count: > 0 } a ? a : null,
                },
                Data = configMap.Data is { Count: > 0 } d ? d : null,
                BinaryData = configMap.BinaryData is { Count: > 0 } b ? b : null,
                Immutable = configMap.Immutable,
            };
            if (existing is not null && SameContent(existing, stored)) return existing;
            store.Put(Kinds.ConfigMap, ns, name, stored);
        }
        changes.Publish(ConfigKind.ConfigMap, ns, name, deleted: false);
        return stored;
    }

    public ConfigMap Delete(string @namespace, string name)
    {
        ConfigMap existing;
        lock (_gate)
        {
            existing = store.Get<ConfigMap>(Kinds.ConfigMap, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.ConfigMap, name);
            store.Delete(Kinds.ConfigMap, @namespace, name);
        }
        changes.Publish(ConfigKind.ConfigMap, @namespace, name, deleted: true);
        return existing;
    }

    /// <summary>Kubernetes: once immutable, data, binaryData and the flag itself cannot change (labels can).</summary>
    private static void CheckImmutable(ConfigMap existing, ConfigMap next)
    {
        if (next.Immutable != true)
            throw new ValidationException("immutable", "field is immutable when `immutable` is set; delete and re-create the ConfigMap");
        if (!SameMap(existing.Data, next.Data))
            throw new ValidationException("data", "field is immutable when `immutable` is set; delete and re-create the ConfigMap");
        if (!SameMap(existing.BinaryData, next.BinaryData))
            throw new ValidationException("binaryData", "field is immutable when `immutable` is set; delete and re-create the ConfigMap");
    }

    /// <summary>A write that changes nothing keeps the version, so watchers are not woken for it.</summary>
    private static bool SameContent(ConfigMap a, ConfigMap b) =>
        SameMap(a.Data, b.Data) && SameMap(a.BinaryData, b.BinaryData) && a.Immutable == b.Immutable
        && SameMap(a.Metadata.Labels, b.Metadata.Labels) && SameMap(a.Metadata.Annotations, b.Metadata.Annotations);

    private static bool SameMap(Dictionary<string, string>? a, Dictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (k, v) in a)
            if (!b.TryGetValue(k, out var other) || other != v) return false;
        return true;
    }

    private static long Version(ConfigMap? existing) =>
        long.TryParse(existing?.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
