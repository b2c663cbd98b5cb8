using System.Collections.Frozen;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Core.Validation;

/// <summary>
/// Knative's checks of a revision spec (the part of a PodSpec Knative allows), narrowed to what Kinlet
/// runs: one serving container with one port plus sidecars and init containers, cpu and memory limits.
/// </summary>
public static class RevisionSpecValidator
{
    /// <summary>Ports queue-proxy and its metrics own in Knative; a user container may not listen there.</summary>
    public static readonly FrozenSet<int> ReservedPorts = new[] { 8008, 8012, 8013, 8022, 9090, 9091 }.ToFrozenSet();

    /// <summary>Variables Knative sets itself in every user container.</summary>
    public static readonly FrozenSet<string> ReservedEnvVars =
        new[] { "PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION" }.ToFrozenSet(StringComparer.Ordinal);

    public const string ReservedContainerName = "queue-proxy";
    public const long MinMemoryLimitBytes = 4L * 1024 * 1024; // Docker refuses less than 4 MiB
    public const long MinCpuLimitMilli = 10; // Docker's smallest --cpus is 0.01

    /// <summary>Errors in <paramref name="spec"/>; <paramref name="path"/> is its field path (<c>spec.template.spec</c>).</summary>
    public static IReadOnlyList<FieldError> Validate(RevisionSpec? spec, string path, ServingDefaults? defaults = null)
    {
        var errors = new List<FieldError>();
        Validate(spec, path, defaults ?? ServingDefaults.Knative, errors);
        return errors;
    }

    internal static void Validate(RevisionSpec? spec, string path, ServingDefaults d, List<FieldError> errors)
    {
        if (spec is null)
        {
            errors.Add(new(path, "required"));
            return;
        }
        void Add(string field, string message) => errors.Add(new(path + "." + field, message));

        if (spec.ContainerConcurrency is { } cc && (cc < 0 || cc > d.MaxContainerConcurrency))
            Add("containerConcurrency", $"must be between 0 and {d.MaxContainerConcurrency}");

        var timeout = spec.TimeoutSeconds;
        if (timeout is { } t && (t < 0 || t > d.MaxTimeoutSeconds))
            Add("timeoutSeconds", $"must be between 0 and {d.MaxTimeoutSeconds} (0 = the default, {d.TimeoutSeconds})");
        SubTimeout(spec.ResponseStartTimeoutSeconds, "responseStartTimeoutSeconds", timeout, d, Add);
        SubTimeout(spec.IdleTimeoutSeconds, "idleTimeoutSeconds", timeout, d, Add);

        if (!string.IsNullOrEmpty(spec.ServiceAccountName) && Names.ValidateDns1123Subdomain(spec.ServiceAccountName) is { } sa)
            Add("serviceAccountName", sa);

        var containers = spec.Containers;
        if (containers is null || containers.Count == 0)
        {
            Add("containers", "required");
            return;
        }
        // Knative's multi-container rule: with several containers, exactly one declares ports and serves.
        var serving = 0;
        if (containers.Count > 1)
        {
            var withPorts = new List<int>();
            for (var i = 0; i < containers.Count; i++)
                if (containers[i]?.Ports is { Count: > 0 }) withPorts.Add(i);
            if (withPorts.Count == 0)
                Add("containers", $"exactly one container must declare ports when there are several (none of the {containers.Count} does)");
            else
            {
                serving = withPorts[0];
                for (var k = 1; k < withPorts.Count; k++)
                    Add($"containers[{withPorts[k]}].ports", $"only one container may declare ports (containers[{serving}] does)");
            }
        }
        var volumes = VolumeValidator.ValidateVolumes(spec.Volumes, path + ".volumes", errors);
        var mounted = new HashSet<string>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            ValidateContainer(containers[i], $"{path}.containers[{i}]", errors, i == serving ? ContainerKind.Serving : ContainerKind.Sidecar);
            VolumeValidator.ValidateMounts(containers[i]?.VolumeMounts, $"{path}.containers[{i}].volumeMounts", volumes, path + ".volumes", mounted, errors);
            UniqueName(containers[i], $"containers[{i}]", names, Add);
        }
        // Init containers mount the same volumes (e.g. render a config into an emptyDir the serving container reads).
        if (spec.InitContainers is { } inits)
            for (var i = 0; i < inits.Count; i++)
            {
                ValidateContainer(inits[i], $"{path}.initContainers[{i}]", errors, ContainerKind.Init);
                VolumeValidator.ValidateMounts(inits[i]?.VolumeMounts, $"{path}.initContainers[{i}].volumeMounts", volumes, path + ".volumes", mounted, errors);
                UniqueName(inits[i], $"initContainers[{i}]", names, Add);
            }
        // Knative refuses a volume no container mounts (a typo in a mount's name would otherwise go unnoticed).
        for (var i = 0; i < (spec.Volumes?.Count ?? 0); i++)
            if (spec.Volumes![i]?.Name is { Length: > 0 } name && volumes.TryGetValue(name, out var v) && ReferenceEquals(v, spec.Volumes[i]) && !mounted.Contains(name))
                Add($"volumes[{i}].name", $"volume \"{name}\" is not mounted by any container");

        if (spec.ImagePullSecrets is { } pullSecrets)
            for (var i = 0; i < pullSecrets.Count; i++)
            {
                if (string.IsNullOrEmpty(pullSecrets[i]?.Name)) Add($"imagePullSecrets[{i}].name", "required");
                else if (Names.ValidateDns1123Subdomain(pullSecrets[i].Name!) is { } e) Add($"imagePullSecrets[{i}].name", e);
            }
        if (spec.SecurityContext is { } psc)
        {
            IdRange(psc.RunAsUser, "securityContext.runAsUser", Add);
            IdRange(psc.RunAsGroup, "securityContext.runAsGroup", Add);
            IdRange(psc.FsGroup, "securityContext.fsGroup", Add);
            if (psc.SupplementalGroups is { } groups)
                for (var i = 0; i < groups.Count; i++) IdRange(groups[i], $"securityContext.supplementalGroups[{i}]", Add);
            if (psc.RunAsNonRoot == true && psc.RunAsUser == 0)
                Add("securityContext.runAsNonRoot", "must not be true with runAsUser 0");
        }
    }

    private enum ContainerKind { Serving, Sidecar, Init }

    // Names are unique across containers and initContainers, as in a pod (logs and engine names use them).
    private static void UniqueName(Container? c, string field, Dictionary<string, string> seen, Action<string, string> add)
    {
        if (string.IsNullOrEmpty(c?.Name)) return;
        if (!seen.TryAdd(c.Name, field)) add(field + ".name", $"duplicate name \"{c.Name}\" (also {seen[c.Name]})");
    }

    private static void IdRange(long? id, string field, Action<string, string> add)
    {
        if (id is { } v && (v < 0 || v > int.MaxValue)) add(field, $"must be between 0 and {int.MaxValue}");
    }

    // Only compared with timeoutSeconds when that is set (non-zero): a zero timeout means "the default".
    private static void SubTimeout(long? value, string field, long? timeout, ServingDefaults d, Action<string, string> add)
    {
        if (value is not { } v) return;
        if (v < 0 || v > d.MaxTimeoutSeconds) add(field, $"must be between 0 and {d.MaxTimeoutSeconds}");
        else if (timeout is { } t && t > 0 && v > t) add(field, $"must be at most timeoutSeconds ({t})");
    }

    private static void ValidateContainer(Container? c, string path, List<FieldError> errors, ContainerKind kind)
    {
        if (c is null)
        {
            errors.Add(new(path, "required"));
            return;
        }
        void Add(string field, string message) => errors.Add(new(path + "." + field, message));

        if (!string.IsNullOrEmpty(c.Name))
        {
            if (c.Name == ReservedContainerName) Add("name", $"\"{ReservedContainerName}\" is a reserved container name");
            else if (Names.ValidateDns1123Label(c.Name) is { } e) Add("name", e);
        }

        if (string.IsNullOrEmpty(c.Image)) Add("image", "required");
        else if (Names.ValidateImageReference(c.Image) is { } e) Add("image", e);

        if (!string.IsNullOrEmpty(c.WorkingDir) && !c.WorkingDir.StartsWith('/'))
            Add("workingDir", "must be an absolute path");

        if (c.ImagePullPolicy is { Length: > 0 } pull && pull is not ("Always" or "IfNotPresent" or "Never"))
            Add("imagePullPolicy", "must be Always, IfNotPresent or Never");

        if (kind == ContainerKind.Init)
        {
            // As in Kubernetes: an init container runs to completion, so nothing probes or reaches it.
            if (c.Ports is { Count: > 0 }) Add("ports", "must not be set for an init container");
            if (c.ReadinessProbe is not null) Add("readinessProbe", "must not be set for an init container");
            if (c.LivenessProbe is not null) Add("livenessProbe", "must not be set for an init container");
        }
        var port = kind == ContainerKind.Init ? null : ValidatePorts(c.Ports, path + ".ports", errors);
        ValidateEnv(c.Env, path + ".env", errors);
        ValidateEnvFrom(c.EnvFrom, path + ".envFrom", errors);
        ValidateResources(c.Resources, path + ".resources", errors);
        if (kind != ContainerKind.Init)
        {
            // A sidecar has no serving port to default a probe to: its httpGet/tcpSocket probe names a port number.
            var sidecar = kind == ContainerKind.Sidecar;
            ValidateProbe(c.ReadinessProbe, path + ".readinessProbe", port, readiness: true, errors, sidecar);
            ValidateProbe(c.LivenessProbe, path + ".livenessProbe", port, readiness: false, errors, sidecar);
        }

        if (c.SecurityContext is { } sc)
        {
            IdRange(sc.RunAsUser, "securityContext.runAsUser", Add);
            IdRange(sc.RunAsGroup, "securityContext.runAsGroup", Add);
            if (sc.RunAsNonRoot == true && sc.RunAsUser == 0) Add("securityContext.runAsNonRoot", "must not be true with runAsUser 0");
            if (sc.Capabilities is { } caps)
            {
                CapabilityNames(caps.Add, "securityContext.capabilities.add", allowAll: false, Add);
                CapabilityNames(caps.Drop, "securityContext.capabilities.drop", allowAll: true, Add);
            }
        }
    }

    private static void CapabilityNames(List<string>? names, string field, bool allowAll, Action<string, string> add)
    {
        if (names is null) return;
        for (var i = 0; i < names.Count; i++)
        {
            var n = names[i];
            if (string.IsNullOrEmpty(n) || !n.All(ch => ch is (>= 'A' and <= 'Z') or '_' or (>= '0' and <= '9')))
                add($"{field}[{i}]", "must be a capability name such as NET_BIND_SERVICE");
            else if (!allowAll && n == "ALL")
                add($"{field}[{i}]", "adding ALL capabilities is not supported (Kinlet never runs privileged containers)");
        }
    }

    /// <summary>Checks the ports and returns the serving port (the first), if any.</summary>
    private static ContainerPortSpec? ValidatePorts(List<ContainerPortSpec>? ports, string path, List<FieldError> errors)
    {
        if (ports is null || ports.Count == 0) return null;
        if (ports.Count > 1) errors.Add(new(path, "at most one port is supported"));
        for (var i = 0; i < ports.Count; i++)
        {
            var p = ports[i];
            var pp = $"{path}[{i}]";
            if (p is null)
            {
                errors.Add(new(pp, "required"));
                continue;
            }
            if (p.ContainerPort is { } n)
            {
                if (n < 1 || n > 65535) errors.Add(new(pp + ".containerPort", "must be between 1 and 65535"));
                else if (ReservedPorts.Contains(n)) errors.Add(new(pp + ".containerPort", $"{n} is a reserved port"));
            }
            if (p.Name is { Length: > 0 } name && name is not ("http1" or "h2c"))
                errors.Add(new(pp + ".name", "must be empty, \"http1\" or \"h2c\""));
            if (p.Protocol is { Length: > 0 } protocol && protocol != "TCP")
                errors.Add(new(pp + ".protocol", "must be \"TCP\""));
        }
        return ports[0];
    }

    private static void ValidateEnv(List<EnvVar>? env, string path, List<FieldError> errors)
    {
        if (env is null) return;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < env.Count; i++)
        {
            var e = env[i];
            var p = $"{path}[{i}]";
            if (e is null)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            if (string.IsNullOrEmpty(e.Name)) errors.Add(new(p + ".name", "required"));
            else if (Names.ValidateEnvVarName(e.Name) is { } msg) errors.Add(new(p + ".name", msg));
            else if (ReservedEnvVars.Contains(e.Name)) errors.Add(new(p + ".name", $"\"{e.Name}\" is a reserved environment variable"));
            else if (!seen.TryAdd(e.Name, i)) errors.Add(new(p + ".name", $"duplicate name \"{e.Name}\" (also {path}[{seen[e.Name]}])"));

            if (e.ValueFrom is not { } from) continue;
            if (!string.IsNullOrEmpty(e.Value))
                errors.Add(new(p + ".valueFrom", "must not be set together with value"));
            if ((from.SecretKeyRef is null) == (from.ConfigMapKeyRef is null))
                errors.Add(new(p + ".valueFrom", "must set exactly one of secretKeyRef, configMapKeyRef"));
            KeyRef(from.SecretKeyRef, p + ".valueFrom.secretKeyRef", errors);
            KeyRef(from.ConfigMapKeyRef, p + ".valueFrom.configMapKeyRef", errors);
        }
    }

    private static void ValidateEnvFrom(List<EnvFromSource>? envFrom, string path, List<FieldError> errors)
    {
        if (envFrom is null) return;
        for (var i = 0; i < envFrom.Count; i++)
        {
            var e = envFrom[i];
            var p = $"{path}[{i}]";
            if (e is null)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            if ((e.ConfigMapRef is null) == (e.SecretRef is null))
                errors.Add(new(p, "must set exactly one of configMapRef, secretRef"));
            if (e.Prefix is { Length: > 0 } prefix && Names.ValidateEnvVarName(prefix) is { } msg)
                errors.Add(new(p + ".prefix", msg));
            NameRef(e.ConfigMapRef, p + ".configMapRef", errors);
            NameRef(e.SecretRef, p + ".secretRef", errors);
        }
    }

    private static void NameRef(NameReference? reference, string path, List<FieldError> errors)
    {
        if (reference is null) return;
        if (string.IsNullOrEmpty(reference.Name)) errors.Add(new(path + ".name", "required"));
        else if (Names.ValidateDns1123Subdomain(reference.Name) is { } msg) errors.Add(new(path + ".name", msg));
    }

    private static void KeyRef(KeySelector? selector, string path, List<FieldError> errors)
    {
        if (selector is null) return;
        if (string.IsNullOrEmpty(selector.Name)) errors.Add(new(path + ".name", "required"));
        if (string.IsNullOrEmpty(selector.Key)) errors.Add(new(path + ".key", "required"));
    }

    private static void ValidateResources(ResourceRequirements? resources, string path, List<FieldError> errors)
    {
        if (resources is null) return;
        var limits = Quantities(resources.Limits, path + ".limits", errors, isLimit: true);
        var requests = Quantities(resources.Requests, path + ".requests", errors, isLimit: false);
        foreach (var (key, request) in requests)
            if (limits.TryGetValue(key, out var limit) && request > limit)
                errors.Add(new($"{path}.requests.{key}", $"must not exceed the {key} limit ({resources.Limits![key]})"));
    }

    /// <summary>Checks one of limits/requests; returns the parsed values (bytes, millicores) by resource name.</summary>
    private static Dictionary<string, long> Quantities(Dictionary<string, string>? map, string path, List<FieldError> errors, bool isLimit)
    {
        var parsed = new Dictionary<string, long>(StringComparer.Ordinal);
        if (map is null) return parsed;
        foreach (var (key, value) in map)
        {
            var p = path + "." + key;
            switch (key)
            {
                case "cpu":
                    if (!Quantity.TryParseMilliCpu(value, out var milli)) errors.Add(new(p, "must be a quantity such as 500m or 1"));
                    else if (isLimit && milli is > 0 and < MinCpuLimitMilli) errors.Add(new(p, "must be 0 or at least 10m"));
                    else parsed[key] = milli;
                    break;
                case "memory":
                    if (!Quantity.TryParseBytes(value, out var bytes)) errors.Add(new(p, "must be a quantity such as 128Mi or 1Gi"));
                    else if (isLimit && bytes < MinMemoryLimitBytes) errors.Add(new(p, "must be at least 4Mi"));
                    else parsed[key] = bytes;
                    break;
                default:
                    errors.Add(new(p, "only cpu and memory are supported"));
                    break;
            }
        }
        return parsed;
    }

    private static void ValidateProbe(Probe? probe, string path, ContainerPortSpec? port, bool readiness, List<FieldError> errors, bool sidecar = false)
    {
        if (probe is null) return;
        void Add(string field, string message) => errors.Add(new(field.Length == 0 ? path : path + "." + field, message));
        if (sidecar)
        {
            var handlers0 = (probe.HttpGet is null ? 0 : 1) + (probe.TcpSocket is null ? 0 : 1) + (probe.Exec is null ? 0 : 1);
            if (handlers0 == 0) Add("", "must set one of httpGet, tcpSocket, exec (a sidecar has no serving port to check)");
            if (probe.HttpGet is { } h && h.Port?.IntValue is null) Add("httpGet.port", "required for a sidecar: the port number it listens on");
            if (probe.TcpSocket is { } t && t.Port?.IntValue is null) Add("tcpSocket.port", "required for a sidecar: the port number it listens on");
        }

        var handlers = (probe.HttpGet is null ? 0 : 1) + (probe.TcpSocket is null ? 0 : 1) + (probe.Exec is null ? 0 : 1);
        if (handlers > 1) Add("", "must set at most one of httpGet, tcpSocket, exec");
        // Knative fills in a TCP readiness check when none is given; a liveness probe must say what to do.
        else if (handlers == 0 && !readiness) Add("", "must set one of httpGet, tcpSocket, exec");

        if (probe.HttpGet is { } http)
        {
            if (!string.IsNullOrEmpty(http.Path) && !http.Path.StartsWith('/')) Add("httpGet.path", "must start with '/'");
            if (http.Scheme is { Length: > 0 } scheme && scheme is not ("HTTP" or "HTTPS")) Add("httpGet.scheme", "must be \"HTTP\" or \"HTTPS\"");
            ProbePort(http.Port, "httpGet.port", port, Add);
            if (http.HttpHeaders is { } headers)
                for (var i = 0; i < headers.Count; i++)
                    if (headers[i] is null || string.IsNullOrEmpty(headers[i].Name)) Add($"httpGet.httpHeaders[{i}].name", "required");
        }
        if (probe.TcpSocket is { } tcp) ProbePort(tcp.Port, "tcpSocket.port", port, Add);
        if (probe.Exec is { } exec && (exec.Command is null || exec.Command.Count == 0)) Add("exec.command", "required");

        NotNegative(probe.InitialDelaySeconds, "initialDelaySeconds", Add);
        NotNegative(probe.PeriodSeconds, "periodSeconds", Add);
        NotNegative(probe.SuccessThreshold, "successThreshold", Add);
        var timeoutOk = NotNegative(probe.TimeoutSeconds, "timeoutSeconds", Add);
        var failureOk = NotNegative(probe.FailureThreshold, "failureThreshold", Add);

        // Knative: a readiness probe without periodSeconds is probed aggressively (every 50 ms) until it
        // passes once, so a timeout or failure threshold has no meaning there; with a period, both must be ≥ 1.
        if (!readiness) return;
        if (probe.PeriodSeconds is null or 0)
        {
            if (timeoutOk && probe.TimeoutSeconds is > 0) Add("timeoutSeconds", "must not be set when periodSeconds is 0");
            if (failureOk && probe.FailureThreshold is > 0) Add("failureThreshold", "must not be set when periodSeconds is 0");
        }
        else
        {
            if (probe.TimeoutSeconds is 0) Add("timeoutSeconds", "must be at least 1 when periodSeconds is set");
            if (probe.FailureThreshold is 0) Add("failureThreshold", "must be at least 1 when periodSeconds is set");
        }
    }

    private static void ProbePort(IntOrString? probePort, string field, ContainerPortSpec? port, Action<string, string> add)
    {
        if (probePort is not { } pp) return;
        if (pp.IntValue is { } n)
        {
            if (n < 1 || n > 65535) add(field, "must be between 1 and 65535");
        }
        else if (!string.IsNullOrEmpty(pp.StringValue) && pp.StringValue != port?.Name)
        {
            add(field, "must be a port number or the name of the container's port");
        }
    }

    private static bool NotNegative(int? value, string field, Action<string, string> add)
    {
        if (value is not < 0) return true;
        add(field, "must be at least 0");
        return false;
    }
}
