namespace Kinlet.Eventing.Filters.Cesql;

/// <summary>
/// A parsed CloudEvents SQL (v1) expression, immutable and safe to evaluate from many threads. Parse once when
/// a trigger is created (an invalid expression is rejected then); evaluate per event.
/// </summary>
public sealed class CesqlExpression
{
    private readonly CesqlNode _root;

    private CesqlExpression(string text, CesqlNode root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <exception cref="CesqlParseException">the text is not a CESQL v1 expression</exception>
    public static CesqlExpression Parse(string text) => new(text, CesqlParser.Parse(text));

    public static bool TryParse(string text, out CesqlExpression? expression, out string? error)
    {
        try
        {
            expression = Parse(text);
            error = null;
            return true;
        }
        catch (CesqlParseException e)
        {
            expression = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The value and the first evaluation error, as the spec defines them.</summary>
    public CesqlResult Evaluate(CesqlAttributes attributes) => _root.Evaluate(attributes);

    /// <summary>
    /// A filter's verdict: true only for a Boolean true reached without any error. No cast: the spec passes an
    /// event only when the expression itself is the Boolean true, so <c>STRING(TRUE)</c> or an attribute
    /// holding the text "true" does not let it through.
    /// </summary>
    public bool Matches(CesqlAttributes attributes)
    {
        var r = Evaluate(attributes);
        return !r.Failed && r.Value.Type == CesqlType.Boolean && r.Value.Boolean;
    }
}
