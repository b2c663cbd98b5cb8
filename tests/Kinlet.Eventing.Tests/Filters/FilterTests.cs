using Kinlet.Core.Model;
using Kinlet.Eventing.Filters;
using Kinlet.Eventing.Filters.Cesql;

namespace Kinlet.Eventing.Tests.Filters;

public sealed class FilterTests
{
    private static readonly Dictionary<string, CesqlValue> Order = new()
    {
        ["specversion"] = CesqlValue.Of("1.0"),
        ["id"] = CesqlValue.Of("42"),
        ["source"] = CesqlValue.Of("/shop/eu"),
        ["type"] = CesqlValue.Of("com.example.order.created"),
        ["subject"] = CesqlValue.Of(""),
        ["priority"] = CesqlValue.Of(3),
        ["express"] = CesqlValue.Of(true),
    };

    private static bool Matches(IEventFilter filter) => filter.Matches((string n, out CesqlValue v) => Order.TryGetValue(n, out v));

    private static IEventFilter Filters(params FilterSpec[] specs) => FilterCompiler.Compile(null, specs);

    [Fact]
    public void No_filter_matches_everything()
    {
        Assert.True(Matches(FilterCompiler.Compile(null, null)));
        Assert.True(Matches(FilterCompiler.Compile(new Dictionary<string, string>(), [])));
    }

    [Theory]
    [InlineData("type", "com.example.order.created", true)]
    [InlineData("type", "com.example.order.Created", false)]
    [InlineData("priority", "3", true)]
    [InlineData("express", "true", true)]
    [InlineData("source", "", true)]
    [InlineData("subject", "", false)]
    [InlineData("missing", "", false)]
    [InlineData("missing", "x", false)]
    public void Attributes_filter_is_exact_and_empty_means_present_and_non_empty(string name, string value, bool expected)
    {
        Assert.Equal(expected, Matches(FilterCompiler.Compile(new Dictionary<string, string> { [name] = value }, null)));
    }

    [Fact]
    public void Attributes_filter_needs_every_attribute()
    {
        Assert.True(Matches(FilterCompiler.Compile(new Dictionary<string, string> { ["type"] = "com.example.order.created", ["source"] = "/shop/eu" }, null)));
        Assert.False(Matches(FilterCompiler.Compile(new Dictionary<string, string> { ["type"] = "com.example.order.created", ["source"] = "/shop/us" }, null)));
    }

    [Fact]
    public void Exact_prefix_and_suffix()
    {
        Assert.True(Matches(Filters(new FilterSpec { Exact = new() { ["type"] = "com.example.order.created" } })));
        Assert.False(Matches(Filters(new FilterSpec { Exact = new() { ["type"] = "com.example.order" } })));
        Assert.True(Matches(Filters(new FilterSpec { Prefix = new() { ["type"] = "com.example." } })));
        Assert.False(Matches(Filters(new FilterSpec { Prefix = new() { ["type"] = "org." } })));
        Assert.True(Matches(Filters(new FilterSpec { Suffix = new() { ["source"] = "/eu" } })));
        Assert.False(Matches(Filters(new FilterSpec { Suffix = new() { ["source"] = "/us" } })));
        Assert.False(Matches(Filters(new FilterSpec { Prefix = new() { ["missing"] = "x" } })));
    }

    [Fact]
    public void All_any_and_not_nest()
    {
        var created = new FilterSpec { Exact = new() { ["type"] = "com.example.order.created" } };
        var us = new FilterSpec { Suffix = new() { ["source"] = "/us" } };
        Assert.True(Matches(Filters(new FilterSpec { Any = [us, created] })));
        Assert.False(Matches(Filters(new FilterSpec { All = [us, created] })));
        Assert.True(Matches(Filters(new FilterSpec { All = [created, new FilterSpec { Not = us }] })));
        Assert.True(Matches(Filters(new FilterSpec { All = [] })));
        Assert.False(Matches(Filters(new FilterSpec { Any = [] })));
        // Several entries in spec.filters: all must match.
        Assert.False(Matches(Filters(created, us)));
        Assert.True(Matches(Filters(created, new FilterSpec { Not = us })));
    }

    [Theory]
    [InlineData("type LIKE 'com.example.%' AND priority > 2", true)]
    [InlineData("express AND source = '/shop/eu'", true)]
    [InlineData("priority + 1 = 4", true)]
    [InlineData("EXISTS missing", false)]
    [InlineData("missing = 'x'", false)]
    [InlineData("priority / 0 = 0", false)]
    [InlineData("priority", false)]
    [InlineData("'yes'", false)]
    [InlineData("'true'", false)]   // the string "true" is not the Boolean true (issue 13: no cast to Boolean)
    public void Cesql_matches_only_a_true_reached_without_error(string expression, bool expected)
    {
        Assert.Equal(expected, Matches(Filters(new FilterSpec { Cesql = expression })));
    }

    [Fact]
    public void Spec_filters_win_over_the_attributes_filter()
    {
        var filter = FilterCompiler.Compile(new Dictionary<string, string> { ["type"] = "nope" },
            [new FilterSpec { Prefix = new() { ["type"] = "com." } }]);
        Assert.True(Matches(filter));
    }

    [Theory]
    [InlineData("type = ", "spec.filters[0].cesql")]
    [InlineData("type LIKE 5", "spec.filters[0].cesql")]
    [InlineData("'unterminated", "spec.filters[0].cesql")]
    public void An_invalid_expression_is_rejected_with_its_field(string expression, string field)
    {
        var e = Assert.Throws<FilterSpecException>(() => Filters(new FilterSpec { Cesql = expression }));
        Assert.Equal(field, e.Field);
        Assert.Contains("CESQL", e.Detail);
    }

    [Fact]
    public void Bad_shapes_are_rejected_with_their_field()
    {
        Assert.Equal("spec.filters[0]", Assert.Throws<FilterSpecException>(() => Filters(new FilterSpec())).Field);
        Assert.Equal("spec.filters[0]", Assert.Throws<FilterSpecException>(() =>
            Filters(new FilterSpec { Exact = new() { ["type"] = "a" }, Cesql = "TRUE" })).Field);
        Assert.Equal("spec.filters[0].all[1].exact.Type", Assert.Throws<FilterSpecException>(() =>
            Filters(new FilterSpec { All = [new FilterSpec { Cesql = "TRUE" }, new FilterSpec { Exact = new() { ["Type"] = "a" } }] })).Field);
        Assert.Equal("spec.filters[0].prefix.type", Assert.Throws<FilterSpecException>(() =>
            Filters(new FilterSpec { Prefix = new() { ["type"] = "" } })).Field);
        Assert.Equal("spec.filter.attributes.my-ext", Assert.Throws<FilterSpecException>(() =>
            FilterCompiler.Compile(new Dictionary<string, string> { ["my-ext"] = "a" }, null)).Field);
    }
}
