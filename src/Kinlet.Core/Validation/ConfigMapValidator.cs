using System.Text;
using System.Text.RegularExpressions;
using Kinlet.Core.Model;

namespace Kinlet.Core.Validation;

/// <summary>
/// Kubernetes' rules for a ConfigMap: a DNS-1123 subdomain name, keys of <c>[-._a-zA-Z0-9]+</c> (not "." or ".."),
/// each key in <c>data</c> or <c>binaryData</c> but not both, base64 binary values, and 1 MiB in all.
/// </summary>
public static partial class ConfigMapValidator
{
    /// <summary>Kubernetes' limit on a ConfigMap's data and binaryData together (the API server's 1 MiB).</summary>
    public const int MaxBytes = 1024 * 1024;

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex KeyPattern();

    /// <summary>Null when <paramref name="key"/> is a valid ConfigMap or Secret key, otherwise what is wrong.</summary>
    public static string? ValidateKey(string key)
    {
        if (key.Length == 0) return "a key must not be empty";
        if (key.Length > Names.MaxSubdomainLength) return $"a key must be at most {Names.MaxSubdomainLength} characters";
        if (key is "." or "..") return "a key must not be '.' or '..'";
        return KeyPattern().IsMatch(key) ? null : "a key is letters, digits, '-', '_' and '.'";
    }

    public static IReadOnlyList<FieldError> Validate(ConfigMap configMap)
    {
        var errors = new List<FieldError>();
        if (configMap.ApiVersion != "v1") errors.Add(new("apiVersion", "must be \"v1\""));
        if (configMap.Kind != "ConfigMap") errors.Add(new("kind", "must be \"ConfigMap\""));
        var name = configMap.Metadata?.Name;
        if (string.IsNullOrEmpty(name)) errors.Add(new("metadata.name", "required"));
        else if (Names.ValidateDns1123Subdomain(name) is { } n) errors.Add(new("metadata.name", n));
        if (configMap.Metadata?.Namespace is { Length: > 0 } ns && Names.ValidateDns1123Label(ns) is { } nsError)
            errors.Add(new("metadata.namespace", nsError));

        long size = 0;
        foreach (var (key, value) in configMap.Data ?? [])
        {
            if (ValidateKey(key) is { } k) errors.Add(new($"data.{key}", k));
            size += key.Length + Encoding.UTF8.GetByteCount(value ?? "");
        }
        foreach (var (key, value) in configMap.BinaryData ?? [])
        {
            if (ValidateKey(key) is { } k) errors.Add(new($"binaryData.{key}", k));
            else if (configMap.Data?.ContainsKey(key) == true) errors.Add(new($"binaryData.{key}", "duplicate of a key in data; a key is in data or binaryData, not both"));
            if (TryDecode(value, out var bytes)) size += key.Length + bytes.Length;
            else errors.Add(new($"binaryData.{key}", "not valid base64"));
        }
        // Kubernetes counts keys and values together against the limit (validation.ValidateConfigMap).
        if (size > MaxBytes)
            errors.Add(new("data", $"the ConfigMap holds {size} bytes; the limit is 1 MiB ({MaxBytes} bytes) for data and binaryData together"));
        return errors;
    }

    /// <summary>The decoded bytes of a binaryData value (standard base64, as Kubernetes writes it).</summary>
    public static bool TryDecode(string? value, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(value ?? "");
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
