using System.Globalization;
using Kinlet.Containers;
using Kinlet.Core;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

/// <summary>A container that cannot be created as configured (Kubernetes' <c>CreateContainerConfigError</c>), e.g. runAsNonRoot with a root image.</summary>
public sealed class ContainerConfigException(string message) : Exception(message);

/// <summary>One container of an instance as it is created, with what the launcher checks before creating it.</summary>
/// <param name="Name">Its name in the revision (<c>containers[].name</c>).</param>
/// <param name="RunAsNonRoot">runAsNonRoot without a runAsUser: the image's user must be checked.</param>
public sealed record PodContainer(string Name, ContainerSpec Spec, bool RunAsNonRoot);

/// <summary>
/// Every container of one instance: init containers (run in order first), the serving container, and its sidecars
/// (created with <see cref="ContainerSpec.NetworkOf"/> set to the serving container's id once it exists).
/// </summary>
public sealed record PodPlan(IReadOnlyList<PodContainer> Inits, PodContainer Serving, IReadOnlyList<PodContainer> Sidecars);

/// <summary>Turns a revision into the containers to create for one of its instances. Pure (secrets and config maps come through a lookup).</summary>
public static class ContainerSpecBuilder
{
    public const int DefaultPort = 8080;

    public static int ContainerPort(RevisionSpec spec) =>
        PodLayout.Serving(spec)?.Ports?.FirstOrDefault()?.ContainerPort ?? DefaultPort;

    /// <summary>The serving container alone (what a single-container revision is).</summary>
    public static ContainerSpec Build(Revision revision, string instanceName, ServingOptions options, IConfigLookup? config = null) =>
        BuildPod(revision, instanceName, options, config).Serving.Spec;

    public static PodPlan BuildPod(Revision revision, string instanceName, ServingOptions options, IConfigLookup? config = null)
    {
        var spec = revision.Spec;
        var servingIndex = PodLayout.ServingIndex(spec);
        var port = ContainerPort(spec);
        var sidecars = new List<PodContainer>();
        var probePorts = new List<int>();
        for (var i = 0; i < spec.Containers.Count; i++)
        {
            if (i == servingIndex) continue;
            var c = spec.Containers[i];
            sidecars.Add(BuildOne(revision, c, instanceName, KnownKeys.RoleSidecar, 0, options, config));
            // A sidecar's probe ports are published by the serving container: its network namespace is theirs.
            foreach (var p in new[] { c.ReadinessProbe, c.LivenessProbe })
            {
                var n = p?.HttpGet?.Port?.IntValue ?? p?.TcpSocket?.Port?.IntValue;
                if (n is { } probePort && probePort != port && !probePorts.Contains(probePort)) probePorts.Add(probePort);
            }
        }
        var serving = BuildOne(revision, spec.Containers[servingIndex], instanceName, KnownKeys.RoleServing, port, options, config);
        if (probePorts.Count > 0) serving = serving with { Spec = serving.Spec with { ExtraPorts = probePorts } };
        var inits = new List<PodContainer>();
        foreach (var c in spec.InitContainers ?? []) inits.Add(BuildOne(revision, c, instanceName, KnownKeys.RoleInit, 0, options, config));
        return new PodPlan(inits, serving, sidecars);
    }

    private static PodContainer BuildOne(Revision revision, Container container, string instanceName, string role, int port,
        ServingOptions options, IConfigLookup? config)
    {
        var meta = revision.Metadata;
        var ns = meta.Namespace ?? KnativeApi.DefaultNamespace;
        var service = meta.Label(KnownKeys.ServiceLabel) ?? "";
        var configuration = meta.Label(KnownKeys.ConfigurationLabel) ?? service;
        var serving = role == KnownKeys.RoleServing;
        var name = container.Name ?? "";

        // User env first (envFrom, then env), then Knative's own variables, which the user cannot override (as in Knative).
        // PORT is the serving container's.
        var env = ContainerEnv.Resolve(container, ns, config);
        if (serving) env.Add(new("PORT", port.ToString(CultureInfo.InvariantCulture)));
        env.Add(new("K_SERVICE", service));
        env.Add(new("K_CONFIGURATION", configuration));
        env.Add(new("K_REVISION", meta.Name!));

        var limits = container.Resources?.Limits;
        long? memory = null;
        if (limits is not null && limits.TryGetValue("memory", out var mem) && Quantity.TryParseBytes(mem, out var bytes)) memory = bytes;
        else if (Quantity.TryParseBytes(options.DefaultMemoryLimit, out var def)) memory = def;
        long? nanoCpus = null;
        if (limits is not null && limits.TryGetValue("cpu", out var cpu) && Quantity.TryParseMilliCpu(cpu, out var milli)) nanoCpus = milli * 1_000_000;

        // The container's securityContext wins over the pod's, field by field (Kubernetes' rule).
        var sc = container.SecurityContext;
        var pod = revision.Spec.SecurityContext;
        var uid = sc?.RunAsUser ?? pod?.RunAsUser;
        var gid = sc?.RunAsGroup ?? pod?.RunAsGroup;
        string? user = uid is { } u ? (gid is { } g ? $"{u}:{g}" : u.ToString(CultureInfo.InvariantCulture)) : null;
        var nonRoot = sc?.RunAsNonRoot ?? pod?.RunAsNonRoot ?? false;
        if (nonRoot && uid == 0)
            throw new ContainerConfigException($"container \"{name}\": runAsNonRoot is set and runAsUser is 0 (root)");
        var groups = new List<string>();
        foreach (var group in pod?.SupplementalGroups ?? []) groups.Add(group.ToString(CultureInfo.InvariantCulture));
        if (pod?.FsGroup is { } fsGroup) groups.Add(fsGroup.ToString(CultureInfo.InvariantCulture));

        var engineName = serving ? ContainerName(ns, instanceName) : ContainerName(ns, instanceName) + "-" + name;
        var spec = new ContainerSpec
        {
            Name = engineName,
            Image = container.Image!,
            Labels = new Dictionary<string, string>
            {
                [KnownKeys.ContainerService] = service,
                [KnownKeys.ContainerRevision] = meta.Name!,
                [KnownKeys.ContainerInstance] = instanceName,
                [KnownKeys.ContainerNamespace] = ns,
                [KnownKeys.ContainerDaemon] = options.DaemonId,
                [KnownKeys.ContainerName] = name,
                [KnownKeys.ContainerRole] = role,
            },
            Env = env,
            ContainerPort = port,
            Command = container.Command is { Count: > 0 } c ? c : null,
            Args = container.Args is { Count: > 0 } a ? a : null,
            WorkingDir = string.IsNullOrEmpty(container.WorkingDir) ? null : container.WorkingDir,
            User = user,
            MemoryBytes = memory,
            NanoCpus = nanoCpus,
            PidsLimit = options.PidsLimit,
            ReadOnlyRootFilesystem = sc?.ReadOnlyRootFilesystem ?? false,
            // Kinlet's default is no-new-privileges; only an explicit allowPrivilegeEscalation: true lifts it.
            NoNewPrivileges = sc?.AllowPrivilegeEscalation != true,
            CapAdd = sc?.Capabilities?.Add ?? [],
            CapDrop = sc?.Capabilities?.Drop ?? [],
            GroupAdd = groups,
        };
        return new PodContainer(name, spec, nonRoot && uid is null);
    }

    /// <summary>
    /// Kubernetes' check of runAsNonRoot against the image's user when no runAsUser is given: root (empty, "root",
    /// uid 0) fails, and so does a user name, which cannot be verified without the image's passwd file.
    /// Null when the image may run.
    /// </summary>
    public static string? NonRootViolation(string containerName, string? imageUser)
    {
        var user = (imageUser ?? "").Split(':')[0];
        if (user.Length == 0 || user == "root" || user == "0")
            return $"container \"{containerName}\" has runAsNonRoot and the image will run as root";
        if (!long.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return $"container \"{containerName}\" has runAsNonRoot and the image has a non-numeric user ({user}): cannot verify it is not root";
        return null;
    }

    public static string ContainerName(string @namespace, string instanceName) =>
        @namespace == KnativeApi.DefaultNamespace ? "kinlet-" + instanceName : $"kinlet-{@namespace}-{instanceName}";

    /// <summary>A fresh instance name: the revision name and 8 random hex digits.</summary>
    public static string NewInstanceName(RevisionKey key) =>
        key.Name + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
}
