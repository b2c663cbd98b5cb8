using System.Text.RegularExpressions;
using Kinlet.Core.Model;
using Kinlet.Eventing.Filters.Cesql;

namespace Kinlet.Eventing.Filters;

/// <summary>A filter that cannot be used; <see cref="Field"/> is its path in the trigger, e.g. <c>spec.filters[1].cesql</c>.</summary>
public sealed class FilterSpecException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
    public string Detail { get; } = message;
}

/// <summary>
/// Turns a trigger's filter fields into one <see cref="IEventFilter"/>, validating as it goes: <c>spec.filters</c>
/// (all must match) wins over <c>spec.filter.attributes</c> when both are set, as in Knative; CESQL is parsed here,
/// so an invalid expression is rejected when the trigger is created, not when an event arrives.
/// </summary>
public static partial class FilterCompiler
{
    [GeneratedRegex("^[a-z][a-z0-9]*$")]
    private static partial Regex AttributeName();

    public static IEventFilter Compile(IReadOnlyDictionary<string, string>? attributes, IReadOnlyList<FilterSpec>? filters)
    {
        if (filters is { Count: > 0 })
        {
            var compiled = new List<IEventFilter>(filters.Count);
            for (var i = 0; i < filters.Count; i++) compiled.Add(Compile(filters[i], $"spec.filters[{i}]"));
            return compiled.Count == 1 ? compiled[0] : new AllFilter(compiled);
        }
        if (attributes is not { Count: > 0 }) return MatchAllFilter.Instance;
        foreach (var name in attributes.Keys)
            if (!AttributeName().IsMatch(name))
                throw new FilterSpecException($"spec.filter.attributes.{name}", "attribute names are lower-case letters and digits, starting with a letter");
        return new AttributesFilter(attributes);
    }

    private static IEventFilter Compile(FilterSpec spec, string path)
    {
        var dialects = (spec.Exact is null ? 0 : 1) + (spec.Prefix is null ? 0 : 1) + (spec.Suffix is null ? 0 : 1)
            + (spec.All is null ? 0 : 1) + (spec.Any is null ? 0 : 1) + (spec.Not is null ? 0 : 1) + (spec.Cesql is null ? 0 : 1);
        if (dialects != 1)
            throw new FilterSpecException(path, dialects == 0
                ? "set one of exact, prefix, suffix, all, any, not, cesql"
                : "set only one of exact, prefix, suffix, all, any, not, cesql");

        if (spec.Exact is { } exact) return Strings(StringMatchFilter.Mode.Exact, exact, path + ".exact");
        if (spec.Prefix is { } prefix) return Strings(StringMatchFilter.Mode.Prefix, prefix, path + ".prefix");
        if (spec.Suffix is { } suffix) return Strings(StringMatchFilter.Mode.Suffix, suffix, path + ".suffix");
        if (spec.All is { } all) return new AllFilter([.. all.Select((f, i) => Compile(f, $"{path}.all[{i}]"))]);
        if (spec.Any is { } any) return new AnyFilter([.. any.Select((f, i) => Compile(f, $"{path}.any[{i}]"))]);
        if (spec.Not is { } not) return new NotFilter(Compile(not, path + ".not"));
        try
        {
            return new CesqlFilter(CesqlExpression.Parse(spec.Cesql!));
        }
        catch (CesqlParseException e)
        {
            throw new FilterSpecException(path + ".cesql", e.Message);
        }
    }

    private static StringMatchFilter Strings(StringMatchFilter.Mode mode, Dictionary<string, string> values, string path)
    {
        if (values.Count == 0) throw new FilterSpecException(path, "needs an attribute and a value");
        foreach (var (name, value) in values)
        {
            if (!AttributeName().IsMatch(name))
                throw new FilterSpecException($"{path}.{name}", "attribute names are lower-case letters and digits, starting with a letter");
            if (mode != StringMatchFilter.Mode.Exact && value.Length == 0)
                throw new FilterSpecException($"{path}.{name}", "an empty value matches everything; leave the filter out instead");
        }
        return new StringMatchFilter(mode, values);
    }
}
