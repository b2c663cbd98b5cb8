using System.Text.RegularExpressions;

namespace Kinlet.Core.Validation;

/// <summary>
/// Kubernetes and OCI name rules. Each check returns null when the value is valid, otherwise a short
/// message that completes "&lt;field&gt;: ..." (e.g. "must be at most 63 characters").
/// </summary>
public static partial class Names
{
    public const int MaxLabelLength = 63;
    public const int MaxSubdomainLength = 253;
    public const int MaxImageNameLength = 255;

    /// <summary>DNS-1035 label (service names, traffic tags): lowercase letters, digits, '-'; starts with a letter.</summary>
    public static string? ValidateDns1035Label(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "must not be empty";
        if (value.Length > MaxLabelLength) return $"must be at most {MaxLabelLength} characters";
        return Dns1035Label().IsMatch(value)
            ? null
            : "must be a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
    }

    /// <summary>DNS-1123 label (namespaces, revision names, container names): like DNS-1035 but may start with a digit.</summary>
    public static string? ValidateDns1123Label(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "must not be empty";
        if (value.Length > MaxLabelLength) return $"must be at most {MaxLabelLength} characters";
        return Dns1123Label().IsMatch(value)
            ? null
            : "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
    }

    /// <summary>DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters.</summary>
    public static string? ValidateDns1123Subdomain(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "must not be empty";
        if (value.Length > MaxSubdomainLength) return $"must be at most {MaxSubdomainLength} characters";
        return Dns1123Subdomain().IsMatch(value)
            ? null
            : "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
    }

    /// <summary>
    /// Kubernetes qualified name, the form of label and annotation keys: an optional DNS-1123 subdomain
    /// prefix and '/', then a name of at most 63 characters of [A-Za-z0-9._-] starting and ending alphanumeric.
    /// </summary>
    public static string? ValidateQualifiedName(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "must not be empty";
        var name = value;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var prefix = value[..slash];
            name = value[(slash + 1)..];
            if (prefix.Length == 0) return "prefix before '/' must not be empty";
            if (ValidateDns1123Subdomain(prefix) is { } e) return "prefix " + e;
        }
        if (name.Length == 0) return "name part must not be empty";
        if (name.Length > MaxLabelLength) return $"name part must be at most {MaxLabelLength} characters";
        return QualifiedNamePart().IsMatch(name)
            ? null
            : "must be a qualified name: letters, digits, '-', '_' and '.', starting and ending with a letter or digit, with an optional DNS subdomain prefix and '/'";
    }

    /// <summary>Label value: empty, or at most 63 characters of [A-Za-z0-9._-] starting and ending alphanumeric.</summary>
    public static string? ValidateLabelValue(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > MaxLabelLength) return $"must be at most {MaxLabelLength} characters";
        return QualifiedNamePart().IsMatch(value)
            ? null
            : "must be a label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    }

    /// <summary>Environment variable name, as Kubernetes allows: <c>[-._a-zA-Z][-._a-zA-Z0-9]*</c>.</summary>
    public static string? ValidateEnvVarName(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "must not be empty";
        return EnvVarName().IsMatch(value)
            ? null
            : "must consist of letters, digits, '_', '-' and '.', and must not start with a digit";
    }

    /// <summary>
    /// Image reference <c>[registry[:port]/]path[:tag][@digest]</c>: lowercase path components, a tag of
    /// at most 128 word characters, '.' and '-', a digest <c>algorithm:hex</c>; no spaces.
    /// </summary>
    public static string? ValidateImageReference(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "must not be empty";
        if (value.Any(char.IsWhiteSpace)) return "must not contain spaces";
        if (value.Length > 1024) return "must be at most 1024 characters";
        var m = ImageReference().Match(value);
        if (!m.Success)
        {
            var name = value.Split('@')[0];
            var lastSlash = name.LastIndexOf('/');
            var lastColon = name.LastIndexOf(':');
            var path = lastColon > lastSlash ? name[..lastColon] : name;
            var repository = path.Contains('/', StringComparison.Ordinal) && LooksLikeRegistry(path[..path.IndexOf('/', StringComparison.Ordinal)])
                ? path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..]
                : path;
            if (repository.Any(char.IsUpper)) return "repository name must be lowercase";
            return "must be an image reference: [registry[:port]/]name[:tag][@digest]";
        }
        if (m.Groups["name"].Value.Length > MaxImageNameLength) return $"name must be at most {MaxImageNameLength} characters";
        return null;
    }

    private static bool LooksLikeRegistry(string first) =>
        first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" || first.Any(char.IsUpper);

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex(@"^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();

    // The distribution/reference grammar: domain components may hold capitals (registry host names),
    // path components may not; separators inside a component are '.', '_', '__' or runs of '-'.
    [GeneratedRegex(
        @"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?"
        + @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
        + @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
        + @"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")]
    private static partial Regex ImageReference();
}
