using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using static Kinlet.Core.Tests.TestManifests;

namespace Kinlet.Core.Tests.Validation;

internal static class ValidationAssert
{
    public static IReadOnlyList<FieldError> Validate(string yaml) => ServiceValidator.Validate(Parse(yaml));

    /// <summary>The manifest gets an error on exactly <paramref name="field"/> (and, when given, a message containing <paramref name="message"/>).</summary>
    public static FieldError Rejects(string yaml, string field, string? message = null)
    {
        var errors = Validate(yaml);
        var match = errors.FirstOrDefault(e => e.Field == field && (message is null || e.Message.Contains(message, StringComparison.Ordinal)));
        Assert.True(match is not null,
            $"expected an error on {field}{(message is null ? "" : $" containing \"{message}\"")}, got: [{string.Join("; ", errors)}]");
        return match;
    }

    public static void Accepts(string yaml)
    {
        var errors = Validate(yaml);
        Assert.True(errors.Count == 0, "expected no errors, got: " + string.Join("; ", errors));
    }

    public static void Accepts(Service service)
    {
        var errors = ServiceValidator.Validate(service);
        Assert.True(errors.Count == 0, "expected no errors, got: " + string.Join("; ", errors));
    }
}
