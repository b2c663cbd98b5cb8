using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Core.Validation;

/// <summary>
/// Validates a serving.knative.dev/v1 Service the way Knative's webhook does, narrowed to what Kinlet
/// runs. Every error names the full field path (<c>spec.template.spec.containers[0].image</c>).
/// </summary>
public static class ServiceValidator
{
    /// <summary>Generated revision names add "-00001" and must still be a 63-character DNS label.</summary>
    public const int MaxServiceNameLength = Names.MaxLabelLength - 6;

    public static IReadOnlyList<FieldError> Validate(Service service, ServingDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        var d = defaults ?? ServingDefaults.Knative;
        var errors = new List<FieldError>();

        if (service.ApiVersion != KnativeApi.ServingV1) errors.Add(new("apiVersion", $"must be \"{KnativeApi.ServingV1}\""));
        if (service.Kind != "Service") errors.Add(new("kind", "must be \"Service\""));

        // Fields that depend on the name (revision prefixes, tag hosts) are checked only against a valid one.
        string? name = null;
        if (service.Metadata is not { } meta)
        {
            errors.Add(new("metadata.name", "required"));
        }
        else
        {
            if (ValidateServiceName(meta.Name) is { } e) errors.Add(new("metadata.name", e));
            else name = meta.Name;
            if (!string.IsNullOrEmpty(meta.Namespace) && Names.ValidateDns1123Label(meta.Namespace) is { } ns)
                errors.Add(new("metadata.namespace", ns));
            ValidateLabelsAndAnnotations(meta, "metadata", errors);
            AutoscalingAnnotationValidator.Validate(meta.Annotations, "metadata.annotations", d, errors);
        }

        if (service.Spec is not { } spec)
        {
            errors.Add(new("spec", "required"));
            return errors;
        }
        if (spec.Template is not { } template)
            errors.Add(new("spec.template", "required"));
        else
            ValidateTemplate(template, name, "spec.template", d, errors);
        TrafficValidator.Validate(name, spec.Traffic, "spec.traffic", errors);
        return errors;
    }

    /// <summary>Throws <see cref="ValidationException"/> with every error when the service is invalid.</summary>
    public static void ValidateOrThrow(Service service, ServingDefaults? defaults = null)
    {
        var errors = Validate(service, defaults);
        if (errors.Count > 0) throw new ValidationException(errors);
    }

    /// <summary>
    /// <see cref="Validate"/> for a replacement of <paramref name="previous"/>, plus Knative's update rule:
    /// a template that keeps its custom revision name may not change (that name is already a revision).
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateUpdate(Service previous, Service updated, ServingDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var errors = new List<FieldError>(Validate(updated, defaults));
        var before = previous.Spec?.Template;
        var after = updated.Spec?.Template;
        var name = after?.Metadata?.Name;
        if (!string.IsNullOrEmpty(name) && name == before?.Metadata?.Name
            && !RevisionTemplates.TemplateEquals(before, after, defaults ?? ServingDefaults.Knative))
            errors.Add(new("spec.template.metadata.name", $"the template changed but the revision name \"{name}\" did not; give the new revision a new name"));
        return errors;
    }

    /// <summary>A service name: a DNS-1035 label of at most 57 characters; null when valid.</summary>
    public static string? ValidateServiceName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "required";
        if (Names.ValidateDns1035Label(name) is { } e) return e;
        return name.Length > MaxServiceNameLength
            ? $"must be at most {MaxServiceNameLength} characters (revision names add \"-00001\" and must fit 63)"
            : null;
    }

    /// <summary>A revision name of this service: a DNS-1123 label starting with "&lt;service&gt;-"; null when valid.</summary>
    public static string? ValidateRevisionName(string serviceName, string revisionName)
    {
        if (Names.ValidateDns1123Label(revisionName) is { } e) return e;
        var prefix = serviceName + "-";
        return revisionName.StartsWith(prefix, StringComparison.Ordinal) && revisionName.Length > prefix.Length
            ? null
            : $"must start with \"{prefix}\"";
    }

    /// <summary>Errors in a revision template at <paramref name="path"/> (<c>spec.template</c>).</summary>
    public static IReadOnlyList<FieldError> ValidateTemplate(RevisionTemplate template, string? serviceName, string path = "spec.template",
        ServingDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        var errors = new List<FieldError>();
        ValidateTemplate(template, serviceName, path, defaults ?? ServingDefaults.Knative, errors);
        return errors;
    }

    private static void ValidateTemplate(RevisionTemplate template, string? serviceName, string path, ServingDefaults d, List<FieldError> errors)
    {
        if (template.Metadata is { } tm)
        {
            if (!string.IsNullOrEmpty(tm.Name))
            {
                var e = serviceName is null ? Names.ValidateDns1123Label(tm.Name) : ValidateRevisionName(serviceName, tm.Name);
                if (e is not null) errors.Add(new(path + ".metadata.name", e));
            }
            ValidateLabelsAndAnnotations(tm, path + ".metadata", errors);
            AutoscalingAnnotationValidator.Validate(tm.Annotations, path + ".metadata.annotations", d, errors);
        }
        RevisionSpecValidator.Validate(template.Spec, path + ".spec", d, errors);
    }

    internal static void ValidateLabelsAndAnnotations(ObjectMeta meta, string path, List<FieldError> errors)
    {
        if (meta.Labels is { } labels)
        {
            foreach (var (key, value) in labels)
            {
                var p = $"{path}.labels.{key}";
                if (Names.ValidateQualifiedName(key) is { } e) errors.Add(new(p, "key " + e));
                else if (Names.ValidateLabelValue(value) is { } v) errors.Add(new(p, v));
            }
        }
        if (meta.Annotations is { } annotations)
        {
            foreach (var key in annotations.Keys)
                if (Names.ValidateQualifiedName(key) is { } e) errors.Add(new($"{path}.annotations.{key}", "key " + e));
        }
    }
}
