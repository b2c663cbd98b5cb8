namespace Kinlet.Core.Validation;

/// <summary>One thing wrong with a resource, named by its field path (<c>spec.template.spec.containers[0].image</c>).</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>Thrown when a resource is rejected; the API answers 4xx with the first error's field.</summary>
public sealed class ValidationException(IReadOnlyList<FieldError> errors)
    : Exception(errors.Count == 0 ? "invalid resource" : string.Join("; ", errors))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;

    public ValidationException(string field, string message) : this([new FieldError(field, message)]) { }

    public string? Field => Errors.Count > 0 ? Errors[0].Field : null;
}
