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
    public string? ServiceAccountName { get; set; }
    public List<Container> Containers { get; set; } = [];
    public List<Volume>? Volumes { get; set; }
    public bool? EnableServiceLinks { get; set; }
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
}

/// <summary>Kubernetes IntOrString (probe ports may be a number or a port name).</summary>
public readonly record struct IntOrString(int? IntValue, string? StringValue)
{
    public static IntOrString FromInt(int value) => new(value, null);
    public static IntOrString FromString(string value) => new(null, value);
    public override string ToString() => IntValue?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? StringValue ?? "";
}
