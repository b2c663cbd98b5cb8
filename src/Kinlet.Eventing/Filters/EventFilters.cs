using Kinlet.Eventing.Filters.Cesql;

namespace Kinlet.Eventing.Filters;

/// <summary>Decides whether a trigger wants an event. Implementations are immutable and thread-safe.</summary>
public interface IEventFilter
{
    bool Matches(CesqlAttributes attributes);
}

/// <summary>Matches every event (an empty filter).</summary>
public sealed class MatchAllFilter : IEventFilter
{
    public static readonly MatchAllFilter Instance = new();

    public bool Matches(CesqlAttributes attributes) => true;
}

/// <summary>
/// Knative's <c>spec.filter.attributes</c>: every listed attribute equals its value exactly (case-sensitive,
/// extensions included); a value of "" only asks that the attribute be present and non-empty.
/// </summary>
public sealed class AttributesFilter(IReadOnlyDictionary<string, string> attributes) : IEventFilter
{
    private readonly KeyValuePair<string, string>[] _pairs = [.. attributes];

    public bool Matches(CesqlAttributes attributes)
    {
        foreach (var (name, expected) in _pairs)
        {
            if (!attributes(name, out var value)) return false;
            var actual = value.ToString();
            if (expected.Length == 0 ? actual.Length == 0 : !string.Equals(actual, expected, StringComparison.Ordinal)) return false;
        }
        return true;
    }
}

/// <summary>The <c>exact</c>, <c>prefix</c> and <c>suffix</c> dialects: each listed attribute is present and compares as the dialect says.</summary>
public sealed class StringMatchFilter(StringMatchFilter.Mode mode, IReadOnlyDictionary<string, string> attributes) : IEventFilter
{
    public enum Mode { Exact, Prefix, Suffix }

    private readonly KeyValuePair<string, string>[] _pairs = [.. attributes];

    public bool Matches(CesqlAttributes attributes)
    {
        foreach (var (name, expected) in _pairs)
        {
            if (!attributes(name, out var value)) return false;
            var actual = value.ToString();
            var ok = mode switch
            {
                Mode.Exact => string.Equals(actual, expected, StringComparison.Ordinal),
                Mode.Prefix => actual.StartsWith(expected, StringComparison.Ordinal),
                _ => actual.EndsWith(expected, StringComparison.Ordinal),
            };
            if (!ok) return false;
        }
        return true;
    }
}

/// <summary><c>all</c>: every nested filter matches (an empty list matches).</summary>
public sealed class AllFilter(IReadOnlyList<IEventFilter> filters) : IEventFilter
{
    private readonly IEventFilter[] _filters = [.. filters];

    public bool Matches(CesqlAttributes attributes)
    {
        foreach (var f in _filters)
            if (!f.Matches(attributes)) return false;
        return true;
    }
}

/// <summary><c>any</c>: at least one nested filter matches (an empty list does not).</summary>
public sealed class AnyFilter(IReadOnlyList<IEventFilter> filters) : IEventFilter
{
    private readonly IEventFilter[] _filters = [.. filters];

    public bool Matches(CesqlAttributes attributes)
    {
        foreach (var f in _filters)
            if (f.Matches(attributes)) return true;
        return false;
    }
}

/// <summary><c>not</c>: the nested filter does not match.</summary>
public sealed class NotFilter(IEventFilter inner) : IEventFilter
{
    public bool Matches(CesqlAttributes attributes) => !inner.Matches(attributes);
}

/// <summary><c>cesql</c>: the expression evaluates to true without an error.</summary>
public sealed class CesqlFilter(CesqlExpression expression) : IEventFilter
{
    public CesqlExpression Expression { get; } = expression;

    public bool Matches(CesqlAttributes attributes) => Expression.Matches(attributes);
}
