using Kinlet.Core.Model;

namespace Kinlet.Core.Validation;

/// <summary>
/// Knative's checks of <c>volumes</c> and <c>volumeMounts</c>: the allowed kinds only (secret, configMap, projected,
/// emptyDir, persistentVolumeClaim), unique names, every mount naming a volume at an absolute path of its own,
/// every volume mounted, relative item paths that stay inside the volume.
/// </summary>
public static class VolumeValidator
{
    public const int MaxFileMode = 0x1FF; // 0777

    public const string SupportedKinds = "secret, configMap, projected, emptyDir, persistentVolumeClaim";

    /// <summary>Checks <c>spec.volumes</c>; returns the volumes by name (the first of a duplicated name).</summary>
    public static Dictionary<string, Volume> ValidateVolumes(List<Volume>? volumes, string path, List<FieldError> errors)
    {
        var byName = new Dictionary<string, Volume>(StringComparer.Ordinal);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        if (volumes is null) return byName;
        for (var i = 0; i < volumes.Count; i++)
        {
            var v = volumes[i];
            var p = $"{path}[{i}]";
            if (v is null)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            if (string.IsNullOrEmpty(v.Name)) errors.Add(new(p + ".name", "required"));
            else if (Names.ValidateDns1123Label(v.Name) is { } e) errors.Add(new(p + ".name", e));
            else if (!index.TryAdd(v.Name, i)) errors.Add(new(p + ".name", $"duplicate name \"{v.Name}\" (also {path}[{index[v.Name]}])"));
            else byName[v.Name] = v;

            var kinds = (v.Secret is null ? 0 : 1) + (v.ConfigMap is null ? 0 : 1) + (v.Projected is null ? 0 : 1)
                + (v.EmptyDir is null ? 0 : 1) + (v.PersistentVolumeClaim is null ? 0 : 1);
            foreach (var (key, _) in v.Other ?? [])
                errors.Add(new(p + "." + key, $"not supported (Kinlet runs {SupportedKinds} volumes)"));
            if (kinds > 1) errors.Add(new(p, $"must set exactly one of {SupportedKinds}"));
            else if (kinds == 0 && v.Other is not { Count: > 0 }) errors.Add(new(p, $"must set one of {SupportedKinds}"));

            if (v.Secret is { } secret)
            {
                if (string.IsNullOrEmpty(secret.SecretName)) errors.Add(new(p + ".secret.secretName", "required"));
                else if (Names.ValidateDns1123Subdomain(secret.SecretName) is { } se) errors.Add(new(p + ".secret.secretName", se));
                Items(secret.Items, p + ".secret.items", errors);
                Mode(secret.DefaultMode, p + ".secret.defaultMode", errors);
            }
            if (v.ConfigMap is { } cm)
            {
                SourceName(cm.Name, p + ".configMap.name", errors);
                Items(cm.Items, p + ".configMap.items", errors);
                Mode(cm.DefaultMode, p + ".configMap.defaultMode", errors);
            }
            if (v.Projected is { } projected) Projected(projected, p + ".projected", errors);
            if (v.EmptyDir is { } emptyDir)
            {
                if (emptyDir.Medium is { Length: > 0 } medium && medium != "Memory")
                    errors.Add(new(p + ".emptyDir.medium", "must be \"\" or \"Memory\""));
                if (emptyDir.SizeLimit is { Length: > 0 } size && (!Quantity.TryParseBytes(size, out var bytes) || bytes <= 0))
                    errors.Add(new(p + ".emptyDir.sizeLimit", "must be a positive quantity such as 64Mi"));
            }
            if (v.PersistentVolumeClaim is { } pvc)
            {
                if (string.IsNullOrEmpty(pvc.ClaimName)) errors.Add(new(p + ".persistentVolumeClaim.claimName", "required"));
                else if (Names.ValidateDns1123Label(pvc.ClaimName) is { } ce) errors.Add(new(p + ".persistentVolumeClaim.claimName", ce));
            }
        }
        return byName;
    }

    private static void Projected(ProjectedVolumeSource projected, string path, List<FieldError> errors)
    {
        Mode(projected.DefaultMode, path + ".defaultMode", errors);
        if (projected.Sources is not { Count: > 0 } sources)
        {
            errors.Add(new(path + ".sources", "required"));
            return;
        }
        for (var i = 0; i < sources.Count; i++)
        {
            var s = sources[i];
            var p = $"{path}.sources[{i}]";
            if (s is null)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            foreach (var (key, _) in s.Other ?? [])
                errors.Add(new(p + "." + key, "not supported (Kinlet projects secret and configMap sources)"));
            if ((s.Secret is null) == (s.ConfigMap is null) && s.Other is not { Count: > 0 })
                errors.Add(new(p, "must set exactly one of secret, configMap"));
            if (s.Secret is { } secret)
            {
                SourceName(secret.Name, p + ".secret.name", errors);
                Items(secret.Items, p + ".secret.items", errors);
            }
            if (s.ConfigMap is { } cm)
            {
                SourceName(cm.Name, p + ".configMap.name", errors);
                Items(cm.Items, p + ".configMap.items", errors);
            }
        }
    }

    private static void SourceName(string? name, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(name)) errors.Add(new(path, "required"));
        else if (Names.ValidateDns1123Subdomain(name) is { } e) errors.Add(new(path, e));
    }

    private static void Items(List<KeyToPath>? items, string path, List<FieldError> errors)
    {
        if (items is null) return;
        var paths = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var p = $"{path}[{i}]";
            if (item is null)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            if (string.IsNullOrEmpty(item.Key)) errors.Add(new(p + ".key", "required"));
            if (string.IsNullOrEmpty(item.Path)) errors.Add(new(p + ".path", "required"));
            else if (RelativePath(item.Path) is { } e) errors.Add(new(p + ".path", e));
            else if (!paths.TryAdd(item.Path, i)) errors.Add(new(p + ".path", $"duplicate path \"{item.Path}\" (also {path}[{paths[item.Path]}])"));
            Mode(item.Mode, p + ".mode", errors);
        }
    }

    private static void Mode(int? mode, string path, List<FieldError> errors)
    {
        if (mode is { } m && (m < 0 || m > MaxFileMode)) errors.Add(new(path, "must be a file mode between 0 and 0777 (octal)"));
    }

    /// <summary>Null when <paramref name="path"/> is relative and stays inside the volume (no '..' element), else why not.</summary>
    public static string? RelativePath(string path)
    {
        if (path.StartsWith('/')) return "must be a relative path";
        if (path.Contains('\0', StringComparison.Ordinal)) return "must not contain NUL";
        foreach (var part in path.Split('/'))
            if (part == "..") return "must not contain '..'";
        // Kubernetes also refuses names starting with "..": those are the volume's own ..data entries.
        if (path.StartsWith("..", StringComparison.Ordinal)) return "must not start with '..'";
        return null;
    }

    /// <summary>Checks one container's <c>volumeMounts</c> against the pod's volumes; adds what it mounts to <paramref name="mounted"/>.</summary>
    public static void ValidateMounts(List<VolumeMount>? mounts, string path, IReadOnlyDictionary<string, Volume> volumes,
        string volumesPath, HashSet<string> mounted, List<FieldError> errors)
    {
        if (mounts is null) return;
        var paths = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            var p = $"{path}[{i}]";
            if (m is null)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            if (string.IsNullOrEmpty(m.Name)) errors.Add(new(p + ".name", "required"));
            else if (!volumes.ContainsKey(m.Name)) errors.Add(new(p + ".name", $"no volume named \"{m.Name}\" in {volumesPath}"));
            else mounted.Add(m.Name);

            if (string.IsNullOrEmpty(m.MountPath)) errors.Add(new(p + ".mountPath", "required"));
            else if (!m.MountPath.StartsWith('/')) errors.Add(new(p + ".mountPath", "must be an absolute path"));
            else if (m.MountPath.Split('/').Contains("..")) errors.Add(new(p + ".mountPath", "must not contain '..'"));
            else if (m.MountPath.TrimEnd('/').Length == 0) errors.Add(new(p + ".mountPath", "must not be \"/\""));
            else
            {
                var normal = m.MountPath.TrimEnd('/');
                if (!paths.TryAdd(normal, i)) errors.Add(new(p + ".mountPath", $"\"{m.MountPath}\" is mounted twice (also {path}[{paths[normal]}])"));
            }

            if (!string.IsNullOrEmpty(m.SubPath) && RelativePath(m.SubPath) is { } e) errors.Add(new(p + ".subPath", e));
        }
    }
}
