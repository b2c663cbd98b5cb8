namespace Kinlet.Core.Validation;

/// <summary>The resource does not exist (API: 404).</summary>
public sealed class ResourceNotFoundException(string kind, string name)
    : Exception($"{kind.ToLowerInvariant()} \"{name}\" not found");

/// <summary>The request conflicts with what exists (API: 409), optionally naming the field.</summary>
public sealed class ResourceConflictException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;
}
