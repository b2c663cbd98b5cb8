namespace Kinlet.Eventing.Filters;

/// <summary>
/// One entry of a trigger's <c>spec.filters</c> (Knative's SubscriptionsAPIFilter): exactly one dialect is set.
/// </summary>
public sealed class FilterSpec
{
    public Dictionary<string, string>? Exact { get; set; }
    public Dictionary<string, string>? Prefix { get; set; }
    public Dictionary<string, string>? Suffix { get; set; }
    public List<FilterSpec>? All { get; set; }
    public List<FilterSpec>? Any { get; set; }
    public FilterSpec? Not { get; set; }
    public string? Cesql { get; set; }
}
