using System.Text;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// A reference a container cannot be created without: a Secret or ConfigMap (or one of its keys) that does not exist
/// and is not optional. The revision fails with Kubernetes' reason <c>CreateContainerConfigError</c>.
/// </summary>
public sealed class ConfigReferenceException(string message) : Exception(message);

/// <summary>What env references resolve against: secrets and config maps by namespace and name (null when missing).</summary>
public interface IConfigLookup
{
    IReadOnlyDictionary<string, byte[]>? Secret(string @namespace, string name);

    ConfigMap? ConfigMap(string @namespace, string name);
}

/// <summary>
/// A container's env as Kubernetes' kubelet builds it: every <c>envFrom</c> source in order (a later one wins), then
/// <c>env</c>, which wins over envFrom; <c>valueFrom</c> references read here, at container creation, so a changed
/// ConfigMap or Secret reaches new instances only. Keys that are not valid env names (after the prefix) and Knative's
/// own names are skipped. Values are never logged or put in a message.
/// </summary>
public static class ContainerEnv
{
    public static List<KeyValuePair<string, string>> Resolve(Container container, string @namespace, IConfigLookup? config)
    {
        var env = new List<KeyValuePair<string, string>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        void Set(string name, string value)
        {
            if (RevisionSpecValidator.ReservedEnvVars.Contains(name)) return;
            if (index.TryGetValue(name, out var at)) env[at] = new(name, value);
            else
            {
                index[name] = env.Count;
                env.Add(new(name, value));
            }
        }

        var envFrom = container.EnvFrom ?? [];
        for (var i = 0; i < envFrom.Count; i++)
        {
            var source = envFrom[i];
            var prefix = source.Prefix ?? "";
            if (source.ConfigMapRef is { } mapRef)
            {
                var map = config?.ConfigMap(@namespace, mapRef.Name!);
                if (map is null)
                {
                    if (mapRef.Optional == true) continue;
                    throw new ConfigReferenceException($"envFrom[{i}]: configmap \"{mapRef.Name}\" not found in namespace \"{@namespace}\"");
                }
                // Kubernetes takes data only; binaryData is for volumes.
                foreach (var (key, value) in (map.Data ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    if (Names.ValidateEnvVarName(prefix + key) is null) Set(prefix + key, value);
            }
            else if (source.SecretRef is { } secretRef)
            {
                var secret = config?.Secret(@namespace, secretRef.Name!);
                if (secret is null)
                {
                    if (secretRef.Optional == true) continue;
                    throw new ConfigReferenceException($"envFrom[{i}]: secret \"{secretRef.Name}\" not found in namespace \"{@namespace}\"");
                }
                foreach (var (key, value) in secret.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    if (Names.ValidateEnvVarName(prefix + key) is null) Set(prefix + key, Encoding.UTF8.GetString(value));
            }
        }

        foreach (var e in container.Env ?? [])
        {
            if (e.ValueFrom?.SecretKeyRef is { } secretKey)
            {
                var value = config?.Secret(@namespace, secretKey.Name!)?.GetValueOrDefault(secretKey.Key!);
                if (value is not null) Set(e.Name, Encoding.UTF8.GetString(value));
                else if (secretKey.Optional != true)
                    throw new ConfigReferenceException($"env {e.Name}: secret \"{secretKey.Name}\" has no key \"{secretKey.Key}\" in namespace \"{@namespace}\"");
            }
            else if (e.ValueFrom?.ConfigMapKeyRef is { } mapKey)
            {
                var map = config?.ConfigMap(@namespace, mapKey.Name!);
                if (map?.Data is { } data && data.TryGetValue(mapKey.Key!, out var value)) Set(e.Name, value);
                else if (mapKey.Optional != true)
                    throw new ConfigReferenceException(map is null
                        ? $"env {e.Name}: configmap \"{mapKey.Name}\" not found in namespace \"{@namespace}\""
                        : $"env {e.Name}: configmap \"{mapKey.Name}\" has no key \"{mapKey.Key}\" in namespace \"{@namespace}\"");
            }
            else
            {
                // A name without value or valueFrom is the empty string, as in Kubernetes.
                Set(e.Name, e.Value ?? "");
            }
        }
        return env;
    }
}
