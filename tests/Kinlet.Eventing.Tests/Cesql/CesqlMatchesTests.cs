using Kinlet.Eventing.Filters.Cesql;

namespace Kinlet.Eventing.Tests.Cesql;

/// <summary>A filter passes only for the Boolean true reached without an error (CESQL v1): no cast to Boolean.</summary>
public sealed class CesqlMatchesTests
{
    private static bool Matches(string expression) =>
        CesqlExpression.Parse(expression).Matches((string n, out CesqlValue v) =>
        {
            // Every attribute of a stored event is a string, as the dispatcher hands them over.
            var found = n == "myext";
            v = found ? CesqlValue.Of("true") : default;
            return found;
        });

    [Theory]
    [InlineData("STRING(TRUE)")]
    [InlineData("'true'")]
    [InlineData("myext")]
    [InlineData("1")]
    [InlineData("missing")]
    [InlineData("1 / 0 = 0")]
    public void Anything_but_a_Boolean_true_without_error_does_not_pass(string expression)
    {
        Assert.False(Matches(expression));
    }

    [Theory]
    [InlineData("TRUE")]
    [InlineData("myext = 'true'")]
    [InlineData("BOOL(myext)")]
    [InlineData("1 = 1")]
    public void Boolean_true_passes(string expression)
    {
        Assert.True(Matches(expression));
    }
}
