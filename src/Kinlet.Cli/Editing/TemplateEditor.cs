using System.Globalization;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Editing;

/// <summary>
/// Turns kn-style template flags into changes of a Service, the way kn maps them: scale flags become
/// Knative autoscaling annotations on the revision template, <c>--concurrency-limit</c> becomes
/// <c>containerConcurrency</c>, and so on. Pure: no I/O, all input checked before anything changes.
/// </summary>
internal static class TemplateEditor
{
    public const string AutoscalingPrefix = "autoscaling.knative.dev/";
    public const string MinScale = AutoscalingPrefix + "min-scale";
    public const string MaxScale = AutoscalingPrefix + "max-scale";
    public const string InitialScale = AutoscalingPrefix + "initial-scale";
    public const string Target = AutoscalingPrefix + "target";

    /// <summary>A new service named <paramref name="name"/> from <c>service create</c>'s flags.</summary>
    public static Service NewService(string name, string ns, TemplateEdits edits)
    {
        if (string.IsNullOrWhiteSpace(edits.Image)) throw CliException.Usage("--image is required");
        var service = new Service { Metadata = new ObjectMeta { Name = name, Namespace = ns } };
        service.Spec.Template.Spec.Containers.Add(new Container());
        Apply(service, edits);
        return service;
    }

    /// <summary>Applies only the flags that were given; everything else in the spec stays as it is.</summary>
    public static void Apply(Service service, TemplateEdits edits)
    {
        var name = service.Metadata.Name ?? "";
        var env = KeyValueChange.Parse(edits.Env, "--env");
        var annotations = KeyValueChange.Parse(edits.Annotations, "--annotation");
        var labels = KeyValueChange.Parse(edits.Labels, "--label");
        var limits = KeyValueChange.Parse(SplitCommas(edits.Limits), "--limit");
        var requests = KeyValueChange.Parse(SplitCommas(edits.Requests), "--request");
        var port = edits.Port is null ? null : ParsePort(edits.Port);
        var envFrom = edits.EnvFrom.Select(ParseEnvFrom).ToList();
        CheckNumbers(edits);
        if (edits.Image is { } img && string.IsNullOrWhiteSpace(img)) throw CliException.Usage("--image must not be empty");
        if (edits.RevisionName is { } rev && (!rev.StartsWith(name + "-", StringComparison.Ordinal) || rev.Length == name.Length + 1))
            throw CliException.Usage($"--revision-name: '{rev}' must start with '{name}-' (the service name and a dash)");

        var template = service.Spec.Template;
        template.Metadata ??= new ObjectMeta();
        if (template.Spec.Containers.Count == 0) template.Spec.Containers.Add(new Container());
        // The flags edit the serving container (the one with ports when there are sidecars), never a sidecar.
        var container = template.Spec.Containers[Kinlet.Core.Serving.PodLayout.ServingIndex(template.Spec)];

        if (edits.Image is not null) container.Image = edits.Image;
        if (env.Count > 0) container.Env = ApplyEnv(container.Env, env);
        foreach (var text in edits.EnvSecrets) container.Env = ApplyEnvSecret(container.Env, text);
        foreach (var (source, remove) in envFrom) container.EnvFrom = ApplyEnvFrom(container.EnvFrom, source, remove);
        if (port is not null) container.Ports = [port];
        if (limits.Count > 0 || requests.Count > 0)
        {
            container.Resources ??= new ResourceRequirements();
            container.Resources.Limits = KeyValueChange.ApplyTo(container.Resources.Limits, limits);
            container.Resources.Requests = KeyValueChange.ApplyTo(container.Resources.Requests, requests);
            if (container.Resources.Limits is null && container.Resources.Requests is null) container.Resources = null;
        }
        if (edits.Cmd.Count > 0) container.Command = [.. edits.Cmd];
        if (edits.Args.Count > 0) container.Args = [.. edits.Args];
        if (edits.WorkingDir is not null) container.WorkingDir = edits.WorkingDir.Length == 0 ? null : edits.WorkingDir;
        if (edits.ConcurrencyLimit is { } cc) template.Spec.ContainerConcurrency = cc;

        // kn: --annotation/--label are for the service and its revisions; autoscaling annotations only
        // mean something on the revision template, so they go there alone.
        if (annotations.Count > 0)
        {
            service.Metadata.Annotations = KeyValueChange.ApplyTo(service.Metadata.Annotations,
                annotations.Where(a => a.IsRemoval || !a.Key.StartsWith(AutoscalingPrefix, StringComparison.Ordinal)));
            template.Metadata.Annotations = KeyValueChange.ApplyTo(template.Metadata.Annotations, annotations);
        }
        if (labels.Count > 0)
        {
            service.Metadata.Labels = KeyValueChange.ApplyTo(service.Metadata.Labels, labels);
            template.Metadata.Labels = KeyValueChange.ApplyTo(template.Metadata.Labels, labels);
        }
        var scale = new List<KeyValueChange>();
        if (edits.ScaleMin is { } min) scale.Add(new(MinScale, Invariant(min)));
        if (edits.ScaleMax is { } max) scale.Add(new(MaxScale, Invariant(max)));
        if (edits.ScaleInit is { } init) scale.Add(new(InitialScale, Invariant(init)));
        if (edits.ConcurrencyTarget is { } target) scale.Add(new(Target, Invariant(target)));
        if (scale.Count > 0) template.Metadata.Annotations = KeyValueChange.ApplyTo(template.Metadata.Annotations, scale);

        // A changed template is a new revision; an old custom name would collide with the existing one
        // (kn clears it the same way), so the daemon names it unless --revision-name says otherwise.
        if (edits.RevisionName is not null) template.Metadata.Name = edits.RevisionName;
        else if (edits.ChangesTemplate) template.Metadata.Name = null;

        if (template.Metadata is { Name: null, Namespace: null, Labels: null, Annotations: null }) template.Metadata = null;
    }

    private static List<EnvVar>? ApplyEnv(List<EnvVar>? current, IReadOnlyList<KeyValueChange> changes)
    {
        var result = current is null ? [] : new List<EnvVar>(current);
        foreach (var c in changes)
        {
            if (c.Key.Length == 0) throw CliException.Usage("--env: a variable needs a name");
            var index = result.FindIndex(e => e.Name == c.Key);
            if (c.IsRemoval)
            {
                if (index >= 0) result.RemoveAt(index);
            }
            else if (index >= 0) result[index] = new EnvVar { Name = c.Key, Value = c.Value };
            else result.Add(new EnvVar { Name = c.Key, Value = c.Value });
        }
        return result.Count == 0 ? null : result;
    }

    /// <summary><c>VAR=SECRET:KEY</c> → <c>{name: VAR, valueFrom: {secretKeyRef: {name: SECRET, key: KEY}}}</c>, replacing VAR.</summary>
    private static List<EnvVar> ApplyEnvSecret(List<EnvVar>? current, string text)
    {
        var eq = text.IndexOf('=');
        var colon = eq < 0 ? -1 : text.IndexOf(':', eq + 1);
        if (eq <= 0 || colon < 0 || colon == eq + 1 || colon == text.Length - 1)
            throw CliException.Usage($"--env-secret takes VAR=SECRET:KEY, not '{text}'");
        var variable = new EnvVar
        {
            Name = text[..eq],
            ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = text[(eq + 1)..colon], Key = text[(colon + 1)..] } },
        };
        var result = current is null ? [] : new List<EnvVar>(current);
        var index = result.FindIndex(e => e.Name == variable.Name);
        if (index >= 0) result[index] = variable;
        else result.Add(variable);
        return result;
    }

    /// <summary>kn's <c>--env-from</c>: <c>configmap:NAME</c>, <c>cm:NAME</c>, <c>config-map:NAME</c> or <c>secret:NAME</c>; <c>NAME-</c> removes it.</summary>
    private static (EnvFromSource Source, bool Remove) ParseEnvFrom(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? text[..colon] : "";
        var name = colon > 0 ? text[(colon + 1)..] : "";
        var remove = name.EndsWith('-');
        if (remove) name = name[..^1];
        if (name.Length == 0 || kind is not ("configmap" or "cm" or "config-map" or "secret"))
            throw CliException.Usage($"--env-from takes configmap:NAME or secret:NAME (NAME- removes it), not '{text}'");
        var reference = new NameReference { Name = name };
        return (kind == "secret" ? new EnvFromSource { SecretRef = reference } : new EnvFromSource { ConfigMapRef = reference }, remove);
    }

    /// <summary>Adds the source at the end (later sources win, as in Kubernetes) unless it is there; removes it for <c>NAME-</c>.</summary>
    private static List<EnvFromSource>? ApplyEnvFrom(List<EnvFromSource>? current, EnvFromSource source, bool remove)
    {
        var result = current is null ? [] : new List<EnvFromSource>(current);
        bool Same(EnvFromSource e) =>
            source.SecretRef is { } s ? e.SecretRef?.Name == s.Name : e.ConfigMapRef?.Name == source.ConfigMapRef!.Name;
        var index = result.FindIndex(e => Same(e) && string.IsNullOrEmpty(e.Prefix));
        if (remove)
        {
            var removed = result.RemoveAll(Same);
            if (removed == 0)
                throw CliException.Usage($"--env-from: {(source.SecretRef is null ? "configmap" : "secret")} '{(source.SecretRef ?? source.ConfigMapRef)!.Name}' is not referenced");
        }
        else if (index < 0) result.Add(source);
        return result.Count == 0 ? null : result;
    }

    private static ContainerPortSpec ParsePort(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon > 0 ? value[..colon] : null;
        var number = colon > 0 ? value[(colon + 1)..] : value;
        if (name is not null and not ("h2c" or "http1"))
            throw CliException.Usage($"--port: '{name}' must be h2c or http1 (as in h2c:8080)");
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw CliException.Usage($"--port: '{value}' must be a port number from 1 to 65535");
        return new ContainerPortSpec { Name = name, ContainerPort = port };
    }

    private static void CheckNumbers(TemplateEdits e)
    {
        if (e.ScaleMin < 0) throw CliException.Usage("--scale-min must be 0 or more");
        if (e.ScaleMax < 0) throw CliException.Usage("--scale-max must be 0 or more (0 means no limit)");
        if (e.ScaleInit < 0) throw CliException.Usage("--scale-init must be 0 or more");
        if (e is { ScaleMin: { } min, ScaleMax: { } max } && max > 0 && min > max)
            throw CliException.Usage($"--scale-min {min} is above --scale-max {max}");
        if (e.ConcurrencyLimit < 0) throw CliException.Usage("--concurrency-limit must be 0 (no limit) or more");
        if (e.ConcurrencyTarget <= 0) throw CliException.Usage("--concurrency-target must be 1 or more");
    }

    private static IEnumerable<string> SplitCommas(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
