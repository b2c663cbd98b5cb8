using Kinlet.Eventing.Filters.Cesql;

namespace Kinlet.Eventing.Tests.Cesql;

/// <summary>What the conformance kit leaves out: precedence, associativity, limits and messages.</summary>
public sealed class CesqlParserTests
{
    private static object Eval(string expression, Dictionary<string, CesqlValue>? attributes = null)
    {
        var r = CesqlExpression.Parse(expression).Evaluate((string n, out CesqlValue v) =>
        {
            v = default;
            return attributes?.TryGetValue(n, out v) == true;
        });
        Assert.Equal(CesqlErrorKind.None, r.Error);
        return r.Value.ToObject();
    }

    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("10 - 4 - 3", 3)]
    [InlineData("20 / 5 / 2", 2)]
    [InlineData("-3 * -3", 9)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("2147483647 + 1", int.MinValue)]
    [InlineData("-7 % 3", -1)]
    public void Arithmetic_follows_precedence_and_wraps_like_32_bit_integers(string expression, int expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("TRUE OR FALSE AND FALSE", true)]    // one level, right-associative: TRUE OR (FALSE AND FALSE)
    [InlineData("FALSE AND FALSE OR TRUE", false)]   // FALSE AND (FALSE OR TRUE)
    [InlineData("NOT TRUE = FALSE", true)]           // (NOT TRUE) = FALSE
    [InlineData("1 + 1 = 2 AND 'a' IN ('a')", true)]
    [InlineData("2 > 1 = TRUE", true)]
    [InlineData("'ab' LIKE 'a_' AND NOT ('ab' LIKE 'b%')", true)]  // NOT binds tighter than LIKE: the parentheses are needed
    [InlineData("3 NOT IN (1, 2)", true)]
    [InlineData("exists ID and ID = 'x'", true)]
    public void Logic_and_comparison(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression, new() { ["id"] = CesqlValue.Of("x") }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 +")]
    [InlineData("(1")]
    [InlineData("1)")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("a LIKE b")]
    [InlineData("x IN ()")]
    [InlineData("EXISTS 1")]
    [InlineData("EXISTS AND")]
    [InlineData("a = # 1")]
    [InlineData("my_ext = 1")]
    [InlineData("'a' 'b'")]
    public void Rejects_what_is_not_cesql(string expression)
    {
        var e = Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(expression));
        Assert.Contains("position", e.Message);
    }

    [Fact]
    public void Unknown_functions_parse_and_fail_at_evaluation()
    {
        var r = CesqlExpression.Parse("NOPE(1)").Evaluate((string _, out CesqlValue v) => { v = default; return false; });
        Assert.Equal(CesqlErrorKind.MissingFunction, r.Error);
        Assert.False(CesqlExpression.Parse("NOPE(1)").Matches((string _, out CesqlValue v) => { v = default; return false; }));
    }

    [Theory]
    [InlineData("IS_INT('12')", true)]
    [InlineData("IS_INT('x')", false)]
    [InlineData("IS_BOOL('FALSE')", true)]
    [InlineData("IS_BOOL(1)", false)]
    [InlineData("LENGTH(CONCAT_WS('-', 'a', 'b'))", true)]
    public void Predicates(string expression, bool expected)
    {
        var value = Eval(expression);
        if (value is int length) Assert.Equal(3, length);
        else Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("TRUE", true)]
    [InlineData("1 = 1", true)]
    [InlineData("FALSE", false)]
    [InlineData("STRING(TRUE)", false)]   // the text "true", not the Boolean: a filter lets nothing through
    [InlineData("'true'", false)]
    [InlineData("1", false)]
    [InlineData("myext", false)]          // an extension attribute whose value is the string "true"
    [InlineData("BOOL(myext)", true)]     // an explicit cast is the author's way to ask for that
    [InlineData("myext = 'true'", true)]
    [InlineData("missing", false)]        // evaluation error: no match
    public void A_filter_passes_only_on_the_boolean_true_without_error(string expression, bool expected)
    {
        var attributes = new Dictionary<string, CesqlValue> { ["myext"] = CesqlValue.Of("true") };
        Assert.Equal(expected, CesqlExpression.Parse(expression).Matches((string n, out CesqlValue v) => attributes.TryGetValue(n, out v)));
    }
}
