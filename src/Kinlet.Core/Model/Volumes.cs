using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinlet.Core.Model;

/// <summary>
/// A pod volume (<c>spec.template.spec.volumes[]</c>) in Knative's allowed set. Any other kind (hostPath, csi, ...)
/// lands in <see cref="Other"/> so validation can reject it by name instead of ignoring it with a warning.
/// </summary>
public sealed class Volume
{
    public string? Name { get; set; }
    public SecretVolumeSource? Secret { get; set; }
    public ConfigMapVolumeSource? ConfigMap { get; set; }
    public ProjectedVolumeSource? Projected { get; set; }
    public EmptyDirVolumeSource? EmptyDir { get; set; }
    public PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>One file of a secret/configMap volume: the key's value written at <c>path</c> (relative to the mount).</summary>
public sealed class KeyToPath
{
    public string? Key { get; set; }
    public string? Path { get; set; }
    /// <summary>File mode (octal in YAML as 0400, decimal in JSON as 256); the volume's defaultMode when unset.</summary>
    [JsonConverter(typeof(Kinlet.Core.Json.FileModeConverter))]
    public int? Mode { get; set; }
}

public sealed class SecretVolumeSource
{
    public string? SecretName { get; set; }
    public List<KeyToPath>? Items { get; set; }
    [JsonConverter(typeof(Kinlet.Core.Json.FileModeConverter))]
    public int? DefaultMode { get; set; }
    public bool? Optional { get; set; }
}

public sealed class ConfigMapVolumeSource
{
    public string? Name { get; set; }
    public List<KeyToPath>? Items { get; set; }
    [JsonConverter(typeof(Kinlet.Core.Json.FileModeConverter))]
    public int? DefaultMode { get; set; }
    public bool? Optional { get; set; }
}

public sealed class ProjectedVolumeSource
{
    public List<VolumeProjection>? Sources { get; set; }
    [JsonConverter(typeof(Kinlet.Core.Json.FileModeConverter))]
    public int? DefaultMode { get; set; }
}

/// <summary>One source of a projected volume; Knative allows secret, configMap (and serviceAccountToken, which Kinlet rejects).</summary>
public sealed class VolumeProjection
{
    public SecretProjection? Secret { get; set; }
    public ConfigMapProjection? ConfigMap { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

public sealed class SecretProjection
{
    public string? Name { get; set; }
    public List<KeyToPath>? Items { get; set; }
    public bool? Optional { get; set; }
}

public sealed class ConfigMapProjection
{
    public string? Name { get; set; }
    public List<KeyToPath>? Items { get; set; }
    public bool? Optional { get; set; }
}

public sealed class EmptyDirVolumeSource
{
    /// <summary>"" (the engine's disk) or "Memory" (tmpfs).</summary>
    public string? Medium { get; set; }
    /// <summary>A quantity (128Mi); the tmpfs size for medium Memory, not enforced on disk.</summary>
    public string? SizeLimit { get; set; }
}

public sealed class PersistentVolumeClaimVolumeSource
{
    public string? ClaimName { get; set; }
    public bool? ReadOnly { get; set; }
}

public sealed class VolumeMount
{
    public string? Name { get; set; }
    public string? MountPath { get; set; }
    public string? SubPath { get; set; }
    public bool? ReadOnly { get; set; }
}
