using System.Text;
using System.Text.RegularExpressions;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Store.Secrets;

namespace Kinlet.Serving.Secrets;

/// <summary>
/// Secret resources (Kubernetes v1 shape): validated and stored in the secret store (mode 0600). What goes back
/// to a client is the metadata and the key names: a value, once written, never leaves the daemon except as an
/// environment variable of a container that references it.
/// </summary>
public sealed partial class SecretController(ISecretStore store, TimeProvider time, ConfigMaps.ConfigChangeFeed? changes = null)
{
    /// <summary>Kubernetes' rule for secret keys.</summary>
    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex KeyPattern();

    private const int MaxBytes = 1024 * 1024;

    public IReadOnlyList<Secret> List(string? @namespace) => [.. store.List(@namespace).Select(View)];

    public Secret Get(string @namespace, string name) =>
        View(store.Get(@namespace, name) ?? throw new ResourceNotFoundException("Secret", name));

    /// <summary>Creates the secret (409 when it exists, unless <paramref name="replace"/>).</summary>
    public Secret Apply(Secret secret, string @namespace, bool replace)
    {
        var ns = string.IsNullOrEmpty(secret.Metadata.Namespace) ? @namespace : secret.Metadata.Namespace;
        var errors = new List<FieldError>();
        if (secret.ApiVersion != "v1") errors.Add(new("apiVersion", "must be \"v1\""));
        if (secret.Kind != "Secret") errors.Add(new("kind", "must be \"Secret\""));
        if (string.IsNullOrEmpty(secret.Metadata.Name)) errors.Add(new("metadata.name", "required"));
        else if (Names.ValidateDns1123Subdomain(secret.Metadata.Name) is { } n) errors.Add(new("metadata.name", n));
        var type = secret.Type is { Length: > 0 } t ? t : "Opaque";
        if (type is not ("Opaque" or PullSecrets.DockerConfigJsonType))
            errors.Add(new("type", $"only \"Opaque\" and \"{PullSecrets.DockerConfigJsonType}\" secrets are supported"));
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in secret.Data ?? [])
        {
            if (!KeyPattern().IsMatch(key)) errors.Add(new($"data.{key}", "a key is letters, digits, '-', '_' and '.'"));
            else if (!TryBase64(value, out var bytes)) errors.Add(new($"data.{key}", "not valid base64 (use stringData for plain text)"));
            else data[key] = bytes;
        }
        foreach (var (key, value) in secret.StringData ?? [])
        {
            if (!KeyPattern().IsMatch(key)) errors.Add(new($"stringData.{key}", "a key is letters, digits, '-', '_' and '.'"));
            else data[key] = Encoding.UTF8.GetBytes(value);
        }
        if (data.Count == 0 && errors.Count == 0) errors.Add(new("data", "a secret needs at least one key"));
        if (data.Values.Sum(v => (long)v.Length) > MaxBytes) errors.Add(new("data", "over 1 MiB"));
        if (type == PullSecrets.DockerConfigJsonType && PullSecrets.ValidateDockerConfig(data) is { } bad) errors.Add(bad);
        if (errors.Count > 0) throw new ValidationException(errors);

        var name = secret.Metadata.Name!;
        var existing = store.Get(ns, name);
        if (existing is not null && !replace) throw new ResourceConflictException($"secret \"{name}\" already exists", "metadata.name");
        var stored = new StoredSecret(ns, name, existing?.Uid ?? Guid.NewGuid().ToString(), existing?.CreatedAt ?? time.GetUtcNow(), data, type == "Opaque" ? null : type);
        store.Put(stored);
        changes?.Publish(ConfigMaps.ConfigKind.Secret, ns, name, deleted: false);
        return View(stored);
    }

    public Secret Delete(string @namespace, string name)
    {
        var existing = store.Get(@namespace, name) ?? throw new ResourceNotFoundException("Secret", name);
        store.Delete(@namespace, name);
        changes?.Publish(ConfigMaps.ConfigKind.Secret, @namespace, name, deleted: true);
        return View(existing);
    }

    private static bool TryBase64(string value, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(value);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static Secret View(StoredSecret s) => new()
    {
        Metadata = new ObjectMeta { Name = s.Name, Namespace = s.Namespace, Uid = s.Uid, CreationTimestamp = s.CreatedAt },
        Type = s.Type ?? "Opaque",
        Keys = [.. s.Data.Keys.Order(StringComparer.Ordinal)],
    };
}
