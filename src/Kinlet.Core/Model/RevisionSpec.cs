namespace Kinlet.Core.Model;

/// <summary><c>spec.template</c> of a Service or Configuration.</summary>
public sealed class RevisionTemplate
{
    public ObjectMeta? Metadata { get; set; }
    public RevisionSpec Spec { get; set; } = new();
}

/// <summary>The part of a Kubernetes PodSpec Knative allows, plus Knative's own fields.</summary>
public sealed class RevisionSpec
{
    /// <summary>Hard limit of requests in flight per instance; 0 = unlimited (Knative default).</summary>
    public long? ContainerConcurrency { get; set; }
    public long? TimeoutSeconds { get; set; }
    public long? ResponseStartTimeoutSeconds { get; set; }
    public long? IdleTimeoutSeconds { get; set; }
    /// <summary>Accepted, no effect: one node has no Kubernetes API to hand a token for.</summary>
    public string? ServiceAccountName { get; set; }
    /// <summary>One serving container (the one with <c>ports</c>) and its sidecars, sharing its network namespace.</summary>
    public List<Container> Containers { get; set; } = [];
    public List<Volume>? Volumes { get; set; }
    /// <summary>Run to completion, in order, before <see cref="Containers"/> start.</summary>
    public List<Container>? InitContainers { get; set; }
    /// <summary>Accepted, no effect: Kinlet injects no service environment variables.</summary>
    public bool? EnableServiceLinks { get; set; }
    /// <summary><c>kubernetes.io/dockerconfigjson</c> secrets whose credentials are used to pull the images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }
    /// <summary>Pod-level defaults for every container's security context.</summary>
    public PodSecurityContext? SecurityContext { get; set; }
    /// <summary>Scheduling fields: kept as written (export round-trips them), ignored on one node with a warning.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }
    public System.Text.Json.Nodes.JsonArray? Tolerations { get; set; }
    public System.Text.Json.Nodes.JsonObject? Affinity { get; set; }
}

/// <summary>A reference to an object in the same namespace by name (Kubernetes <c>LocalObjectReference</c>).</summary>
public sealed class LocalObjectReference
{
    public string? Name { get; set; }
}

/// <summary>The part of a Kubernetes <c>PodSecurityContext</c> that maps onto one engine's containers.</summary>
public sealed class PodSecurityContext
{
    public long? RunAsUser { get; set; }
    public long? RunAsGroup { get; set; }
    public bool? RunAsNonRoot { get; set; }
    /// <summary>Added as supplementary groups of every container's process, as the kubelet does.</summary>
    public List<long>? SupplementalGroups { get; set; }
    public long? FsGroup { get; set; }
}

public sealed class Container
{
    public string? Name { get; set; }
    public string? Image { get; set; }
    public List<string>? Command { get; set; }
    public List<string>? Args { get; set; }
    public string? WorkingDir { get; set; }
    public List<EnvVar>? Env { get; set; }
    public List<EnvFromSource>? EnvFrom { get; set; }
    public List<ContainerPortSpec>? Ports { get; set; }
    public ResourceRequirements? Resources { get; set; }
    public Probe? ReadinessProbe { get; set; }
    public Probe? LivenessProbe { get; set; }
    public SecurityContext? SecurityContext { get; set; }
    public string? ImagePullPolicy { get; set; }
    public List<VolumeMount>? VolumeMounts { get; set; }
}

public sealed class EnvVar
{
    public string Name { get; set; } = "";
    public string? Value { get; set; }
    public EnvVarSource? ValueFrom { get; set; }
}

public sealed class EnvVarSource
{
    public KeySelector? SecretKeyRef { get; set; }
    public KeySelector? ConfigMapKeyRef { get; set; }
}

/// <summary>Every key of a ConfigMap or Secret as env variables (<c>envFrom[]</c>), named <c>prefix + key</c>.</summary>
public sealed class EnvFromSource
{
    public string? Prefix { get; set; }
    public NameReference? ConfigMapRef { get; set; }
    public NameReference? SecretRef { get; set; }
}

/// <summary>A ConfigMap or Secret by name (<c>configMapRef</c>, <c>secretRef</c>); optional: a missing one is no error.</summary>
public sealed class NameReference
{
    public string? Name { get; set; }
    public bool? Optional { get; set; }
}

public sealed class KeySelector
{
    public string? Name { get; set; }
    public string? Key { get; set; }
    public bool? Optional { get; set; }
}

/// <summary>A container port (Kubernetes <c>ContainerPort</c>); Knative allows one.</summary>
public sealed class ContainerPortSpec
{
    public string? Name { get; set; }
    public int? ContainerPort { get; set; }
    public string? Protocol { get; set; }
}

public sealed class ResourceRequirements
{
    public Dictionary<string, string>? Limits { get; set; }
    public Dictionary<string, string>? Requests { get; set; }
}

public sealed class Probe
{
    public HttpGetAction? HttpGet { get; set; }
    public TcpSocketAction? TcpSocket { get; set; }
    public ExecAction? Exec { get; set; }
    public int? InitialDelaySeconds { get; set; }
    public int? PeriodSeconds { get; set; }
    public int? TimeoutSeconds { get; set; }
    public int? SuccessThreshold { get; set; }
    public int? FailureThreshold { get; set; }
}

public sealed class HttpGetAction
{
    public string? Path { get; set; }
    public IntOrString? Port { get; set; }
    public string? Scheme { get; set; }
    public List<HttpHeader>? HttpHeaders { get; set; }
}

public sealed class HttpHeader
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}

public sealed class TcpSocketAction
{
    public IntOrString? Port { get; set; }
}

public sealed class ExecAction
{
    public List<string>? Command { get; set; }
}

public sealed class SecurityContext
{
    public long? RunAsUser { get; set; }
    public long? RunAsGroup { get; set; }
    public bool? RunAsNonRoot { get; set; }
    public bool? ReadOnlyRootFilesystem { get; set; }
    public bool? AllowPrivilegeEscalation { get; set; }
    public Capabilities? Capabilities { get; set; }
}

/// <summary>Linux capabilities to add to or drop from the engine's default set.</summary>
public sealed class Capabilities
{
    public List<string>? Add { get; set; }
    public List<string>? Drop { get; set; }
}

/// <summary>Kubernetes IntOrString (probe ports may be a number or a port name).</summary>
public readonly record struct IntOrString(int? IntValue, string? StringValue)
{
    public static IntOrString FromInt(int value) => new(value, null);
    public static IntOrString FromString(string value) => new(null, value);
    public override string ToString() => IntValue?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? StringValue ?? "";
}
