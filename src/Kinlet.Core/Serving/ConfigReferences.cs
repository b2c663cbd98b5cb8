using Kinlet.Core.Model;

namespace Kinlet.Core.Serving;

/// <summary>
/// The ConfigMaps and Secrets a revision template names (env valueFrom and envFrom of every container and init
/// container, and secret, configMap and
/// projected volumes), each name once, sorted. For export: what a cluster needs besides the Service.
/// </summary>
public sealed record ConfigReferences(IReadOnlyList<string> ConfigMaps, IReadOnlyList<string> Secrets)
{
    public static ConfigReferences Of(RevisionSpec spec)
    {
        var maps = new SortedSet<string>(StringComparer.Ordinal);
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        void Add(SortedSet<string> set, string? name)
        {
            if (!string.IsNullOrEmpty(name)) set.Add(name);
        }
        foreach (var c in spec.Containers.Concat(spec.InitContainers ?? []))
        {
            foreach (var e in c.Env ?? [])
            {
                Add(maps, e.ValueFrom?.ConfigMapKeyRef?.Name);
                Add(secrets, e.ValueFrom?.SecretKeyRef?.Name);
            }
            foreach (var e in c.EnvFrom ?? [])
            {
                Add(maps, e.ConfigMapRef?.Name);
                Add(secrets, e.SecretRef?.Name);
            }
        }
        foreach (var v in spec.Volumes ?? [])
        {
            Add(maps, v.ConfigMap?.Name);
            Add(secrets, v.Secret?.SecretName);
            foreach (var p in v.Projected?.Sources ?? [])
            {
                Add(maps, p.ConfigMap?.Name);
                Add(secrets, p.Secret?.Name);
            }
        }
        return new ConfigReferences([.. maps], [.. secrets]);
    }
}
