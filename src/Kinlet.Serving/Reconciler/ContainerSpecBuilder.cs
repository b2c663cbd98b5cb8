using System.Globalization;
using Kinlet.Containers;
using Kinlet.Core;
using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

/// <summary>Turns a revision into the container to create for one of its instances. Pure (secrets and config maps come through a lookup).</summary>
public static class ContainerSpecBuilder
{
    public const int DefaultPort = 8080;

    public static int ContainerPort(RevisionSpec spec) =>
        spec.Containers.FirstOrDefault()?.Ports?.FirstOrDefault()?.ContainerPort ?? DefaultPort;

    public static ContainerSpec Build(Revision revision, string instanceName, ServingOptions options, IConfigLookup? config = null)
    {
        var meta = revision.Metadata;
        var ns = meta.Namespace ?? KnativeApi.DefaultNamespace;
        var container = revision.Spec.Containers[0];
        var port = ContainerPort(revision.Spec);
        var service = meta.Label(KnownKeys.ServiceLabel) ?? "";
        var configuration = meta.Label(KnownKeys.ConfigurationLabel) ?? service;

        // User env first (envFrom, then env), then Knative's own variables, which the user cannot override (as in Knative).
        var env = ContainerEnv.Resolve(container, ns, config);
        env.Add(new("PORT", port.ToString(CultureInfo.InvariantCulture)));
        env.Add(new("K_SERVICE", service));
        env.Add(new("K_CONFIGURATION", configuration));
        env.Add(new("K_REVISION", meta.Name!));

        var limits = container.Resources?.Limits;
        long? memory = null;
        if (limits is not null && limits.TryGetValue("memory", out var mem) && Quantity.TryParseBytes(mem, out var bytes)) memory = bytes;
        else if (Quantity.TryParseBytes(options.DefaultMemoryLimit, out var def)) memory = def;
        long? nanoCpus = null;
        if (limits is not null && limits.TryGetValue("cpu", out var cpu) && Quantity.TryParseMilliCpu(cpu, out var milli)) nanoCpus = milli * 1_000_000;

        var sc = container.SecurityContext;
        string? user = sc?.RunAsUser is { } uid
            ? (sc.RunAsGroup is { } gid ? $"{uid}:{gid}" : uid.ToString(CultureInfo.InvariantCulture))
            : null;

        return new ContainerSpec
        {
            Name = ContainerName(ns, instanceName),
            Image = container.Image!,
            Labels = new Dictionary<string, string>
            {
                [KnownKeys.ContainerService] = service,
                [KnownKeys.ContainerRevision] = meta.Name!,
                [KnownKeys.ContainerInstance] = instanceName,
                [KnownKeys.ContainerNamespace] = ns,
                [KnownKeys.ContainerDaemon] = options.DaemonId,
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
        };
    }

    public static string ContainerName(string @namespace, string instanceName) =>
        @namespace == KnativeApi.DefaultNamespace ? "kinlet-" + instanceName : $"kinlet-{@namespace}-{instanceName}";

    /// <summary>A fresh instance name: the revision name and 8 random hex digits.</summary>
    public static string NewInstanceName(RevisionKey key) =>
        key.Name + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
}
