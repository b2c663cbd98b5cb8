using System.Globalization;
using Kinlet.Eventing.Filters.Cesql;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kinlet.Eventing.Tests.Cesql;

/// <summary>
/// Every case of the CloudEvents SQL conformance kit (cesql-tck/, copied from cloudevents/spec): a parse
/// error must be rejected at parse time; otherwise the value and the error must be the ones the case states.
/// </summary>
public sealed class CesqlTckTests
{
    public sealed record Case(string File, string Name, string Expression, YamlScalarNode? Result, string? Error,
        Dictionary<string, CesqlValue> Event)
    {
        public override string ToString() => $"{File}: {Name}";
    }

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "cesql-tck");

    public static IEnumerable<object[]> Cases()
    {
        var files = Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 16, $"the conformance kit is missing from {Folder}");
        foreach (var file in files)
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            var root = (YamlMappingNode)stream.Documents[0].RootNode;
            foreach (var test in ((YamlSequenceNode)root["tests"]).Children.Cast<YamlMappingNode>())
            {
                var name = Scalar(test, "name")!.Value!;
                var expression = Scalar(test, "expression")!.Value ?? "";
                var ev = test.Children.TryGetValue(new YamlScalarNode("event"), out var e)
                    ? Attributes((YamlMappingNode)e)
                    : DefaultEvent();
                if (test.Children.TryGetValue(new YamlScalarNode("eventOverrides"), out var o))
                    foreach (var (k, v) in Attributes((YamlMappingNode)o)) ev[k] = v;
                yield return [new Case(Path.GetFileName(file), name, expression, Scalar(test, "result"), Scalar(test, "error")?.Value, ev)];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conforms(Case c)
    {
        if (c.Error == "parse")
        {
            Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(c.Expression));
            return;
        }
        var expression = CesqlExpression.Parse(c.Expression);
        var result = expression.Evaluate((string n, out CesqlValue v) => c.Event.TryGetValue(n, out v));
        Assert.Equal(ExpectedError(c.Error), result.Error);
        if (c.Result is { } expected) Assert.Equal(Typed(expected), result.Value.ToObject());
    }

    private static CesqlErrorKind ExpectedError(string? error) => error switch
    {
        null => CesqlErrorKind.None,
        "math" => CesqlErrorKind.Math,
        "cast" => CesqlErrorKind.Cast,
        "missingFunction" => CesqlErrorKind.MissingFunction,
        "functionEvaluation" => CesqlErrorKind.FunctionEvaluation,
        "missingAttribute" => CesqlErrorKind.MissingAttribute,
        "generic" => CesqlErrorKind.Generic,
        _ => throw new InvalidOperationException($"unknown error kind '{error}' in the kit"),
    };

    private static YamlScalarNode? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (YamlScalarNode)v : null;

    /// <summary>YAML's own typing: a plain true/false is a boolean, a plain integer an integer, anything else (or quoted) a string.</summary>
    private static object Typed(YamlScalarNode node)
    {
        var text = node.Value ?? "";
        if (node.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)) return false;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return i;
        }
        return text;
    }

    private static Dictionary<string, CesqlValue> Attributes(YamlMappingNode node)
    {
        var attributes = new Dictionary<string, CesqlValue>(StringComparer.Ordinal);
        foreach (var (k, v) in node.Children)
        {
            attributes[((YamlScalarNode)k).Value!] = Typed((YamlScalarNode)v) switch
            {
                bool b => CesqlValue.Of(b),
                int i => CesqlValue.Of(i),
                var s => CesqlValue.Of((string)s),
            };
        }
        return attributes;
    }

    private static Dictionary<string, CesqlValue> DefaultEvent() => new(StringComparer.Ordinal)
    {
        ["specversion"] = CesqlValue.Of("1.0"),
        ["id"] = CesqlValue.Of("myId"),
        ["source"] = CesqlValue.Of("localhost.localdomain"),
        ["type"] = CesqlValue.Of("myType"),
    };
}
