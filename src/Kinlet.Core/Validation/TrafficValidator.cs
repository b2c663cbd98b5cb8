using Kinlet.Core.Model;

namespace Kinlet.Core.Validation;

/// <summary>Knative's checks of a Service's <c>spec.traffic</c>.</summary>
public static class TrafficValidator
{
    /// <summary>
    /// Errors in <paramref name="traffic"/> (null or empty is valid: all traffic to the latest revision).
    /// <paramref name="serviceName"/>, when known, is the prefix every revisionName must carry.
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(string? serviceName, IReadOnlyList<TrafficTarget?>? traffic, string path = "spec.traffic")
    {
        var errors = new List<FieldError>();
        Validate(serviceName, traffic, path, errors);
        return errors;
    }

    internal static void Validate(string? serviceName, IReadOnlyList<TrafficTarget?>? traffic, string path, List<FieldError> errors)
    {
        if (traffic is null || traffic.Count == 0) return;
        var tags = new Dictionary<string, int>(StringComparer.Ordinal);
        decimal sum = 0; // decimal: absurd percents must not overflow into a "valid" sum
        for (var i = 0; i < traffic.Count; i++)
        {
            var p = $"{path}[{i}]";
            if (traffic[i] is not { } t)
            {
                errors.Add(new(p, "required"));
                continue;
            }
            var pinned = !string.IsNullOrEmpty(t.RevisionName);
            if (t.LatestRevision == true && pinned)
                errors.Add(new(p + ".latestRevision", "must not be true when revisionName is set"));
            else if (t.LatestRevision == false && !pinned)
                errors.Add(new(p + ".latestRevision", "must be true (or unset) when revisionName is not set"));

            if (pinned)
            {
                var error = serviceName is null
                    ? Names.ValidateDns1123Label(t.RevisionName)
                    : ServiceValidator.ValidateRevisionName(serviceName, t.RevisionName!);
                if (error is not null) errors.Add(new(p + ".revisionName", error));
            }
            // A Service's traffic always targets its own configuration; naming one is a Route-only field.
            if (!string.IsNullOrEmpty(t.ConfigurationName)) errors.Add(new(p + ".configurationName", "must not set the field(s)"));
            if (!string.IsNullOrEmpty(t.Url)) errors.Add(new(p + ".url", "must not set the field(s)"));

            var percent = t.Percent ?? 0;
            if (percent is < 0 or > 100) errors.Add(new(p + ".percent", "must be between 0 and 100"));
            sum += percent;

            if (string.IsNullOrEmpty(t.Tag)) continue;
            if (Names.ValidateDns1035Label(t.Tag) is { } tagError)
                errors.Add(new(p + ".tag", tagError));
            else if (!tags.TryAdd(t.Tag, i))
                errors.Add(new(p + ".tag", $"duplicate tag \"{t.Tag}\" (also {path}[{tags[t.Tag]}])"));
            else if (serviceName is not null && t.Tag.Length + 1 + serviceName.Length > Names.MaxLabelLength)
                errors.Add(new(p + ".tag", $"too long: the host label \"{t.Tag}-{serviceName}\" must be at most {Names.MaxLabelLength} characters"));
        }
        if (sum != 100) errors.Add(new(path, $"percents must sum to 100, not {sum}"));
    }
}
