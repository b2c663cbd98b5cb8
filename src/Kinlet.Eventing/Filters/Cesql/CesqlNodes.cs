using System.Text;
using System.Text.RegularExpressions;

namespace Kinlet.Eventing.Filters.Cesql;

/// <summary>Looks up an event attribute by its lower-case name; false when the event does not have it.</summary>
public delegate bool CesqlAttributes(string name, out CesqlValue value);

/// <summary>
/// One node of a parsed expression. Evaluation follows the spec's error model: every node has a value;
/// an operand that failed makes its operator answer the default of the operator's type with that error,
/// while a failed cast inside an operator only replaces the cast value by the default and goes on.
/// </summary>
internal abstract record CesqlNode
{
    public abstract CesqlResult Evaluate(CesqlAttributes attributes);

    protected static CesqlResult Ok(CesqlValue value) => new(value, CesqlErrorKind.None);

    protected static CesqlErrorKind First(CesqlErrorKind a, CesqlErrorKind b) => a != CesqlErrorKind.None ? a : b;
}

internal sealed record LiteralNode(CesqlValue Value) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes) => Ok(Value);
}

internal sealed record AttributeNode(string Name) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes) =>
        attributes(Name, out var value) ? Ok(value) : new CesqlResult(CesqlValue.False, CesqlErrorKind.MissingAttribute);
}

internal sealed record ExistsNode(string Name) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes) => Ok(CesqlValue.Of(attributes(Name, out _)));
}

internal sealed record NotNode(CesqlNode Operand) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var r = Operand.Evaluate(attributes);
        if (r.Failed) return new CesqlResult(CesqlValue.False, r.Error);
        var (b, error) = r.Value.CastTo(CesqlType.Boolean);
        return new CesqlResult(CesqlValue.Of(!b.Boolean), error);
    }
}

internal sealed record NegateNode(CesqlNode Operand) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var r = Operand.Evaluate(attributes);
        if (r.Failed) return new CesqlResult(CesqlValue.Of(0), r.Error);
        var (i, error) = r.Value.CastTo(CesqlType.Integer);
        return new CesqlResult(CesqlValue.Of(unchecked(-i.Integer)), error);
    }
}

internal sealed record ArithmeticNode(char Op, CesqlNode Left, CesqlNode Right) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var l = Left.Evaluate(attributes);
        if (l.Failed) return new CesqlResult(CesqlValue.Of(0), l.Error);
        var r = Right.Evaluate(attributes);
        if (r.Failed) return new CesqlResult(CesqlValue.Of(0), r.Error);
        var (a, ea) = l.Value.CastTo(CesqlType.Integer);
        var (b, eb) = r.Value.CastTo(CesqlType.Integer);
        var error = First(ea, eb);
        int x = a.Integer, y = b.Integer;
        if (Op is '/' or '%' && y == 0) return new CesqlResult(CesqlValue.Of(0), First(error, CesqlErrorKind.Math));
        var value = Op switch
        {
            '+' => unchecked(x + y),
            '-' => unchecked(x - y),
            '*' => unchecked(x * y),
            // int.MinValue / -1 overflows in .NET; the spec's 32-bit integers wrap.
            '/' => y == -1 ? unchecked(-x) : x / y,
            _ => y == -1 ? 0 : x % y,
        };
        return new CesqlResult(CesqlValue.Of(value), error);
    }
}

/// <summary>= and != (or &lt;&gt;): with different types the left operand is cast to the right one's type.</summary>
internal sealed record EqualityNode(CesqlNode Left, CesqlNode Right, bool Negated) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var l = Left.Evaluate(attributes);
        if (l.Failed) return new CesqlResult(CesqlValue.False, l.Error);
        var r = Right.Evaluate(attributes);
        if (r.Failed) return new CesqlResult(CesqlValue.False, r.Error);
        var (left, error) = l.Value.CastTo(r.Value.Type);
        return new CesqlResult(CesqlValue.Of(left.Equals(r.Value) != Negated), error);
    }
}

/// <summary>&lt; &lt;= &gt; &gt;= compare integers.</summary>
internal sealed record RelationalNode(string Op, CesqlNode Left, CesqlNode Right) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var l = Left.Evaluate(attributes);
        if (l.Failed) return new CesqlResult(CesqlValue.False, l.Error);
        var r = Right.Evaluate(attributes);
        if (r.Failed) return new CesqlResult(CesqlValue.False, r.Error);
        var (a, ea) = l.Value.CastTo(CesqlType.Integer);
        var (b, eb) = r.Value.CastTo(CesqlType.Integer);
        var value = Op switch
        {
            "<" => a.Integer < b.Integer,
            "<=" => a.Integer <= b.Integer,
            ">" => a.Integer > b.Integer,
            _ => a.Integer >= b.Integer,
        };
        return new CesqlResult(CesqlValue.Of(value), First(ea, eb));
    }
}

/// <summary>AND and OR short-circuit (the right side is not evaluated, so its errors do not count); XOR evaluates both.</summary>
internal sealed record LogicNode(string Op, CesqlNode Left, CesqlNode Right) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var l = Left.Evaluate(attributes);
        if (l.Failed) return new CesqlResult(CesqlValue.False, l.Error);
        var (a, ea) = l.Value.CastTo(CesqlType.Boolean);
        if (Op == "AND" && !a.Boolean) return new CesqlResult(CesqlValue.False, ea);
        if (Op == "OR" && a.Boolean) return new CesqlResult(CesqlValue.True, ea);
        var r = Right.Evaluate(attributes);
        if (r.Failed) return new CesqlResult(CesqlValue.False, First(ea, r.Error));
        var (b, eb) = r.Value.CastTo(CesqlType.Boolean);
        var value = Op switch
        {
            "AND" => b.Boolean,
            "OR" => b.Boolean,
            _ => a.Boolean ^ b.Boolean,
        };
        return new CesqlResult(CesqlValue.Of(value), First(ea, eb));
    }
}

/// <summary>LIKE: % any run, _ one character, \% and \_ themselves; the operand is compared as a string, case-sensitively.</summary>
internal sealed record LikeNode(CesqlNode Operand, Regex Pattern, bool Negated) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var r = Operand.Evaluate(attributes);
        if (r.Failed) return new CesqlResult(CesqlValue.False, r.Error);
        var (s, error) = r.Value.CastTo(CesqlType.String);
        return new CesqlResult(CesqlValue.Of(Pattern.IsMatch(s.String) != Negated), error);
    }

    public static Regex Compile(string pattern)
    {
        var sb = new StringBuilder("\\A");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '%' or '_')
            {
                sb.Append(Regex.Escape(pattern[++i].ToString()));
                continue;
            }
            sb.Append(c switch
            {
                '%' => ".*",
                '_' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }
        sb.Append("\\z");
        return new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}

/// <summary>IN: each member is cast to the operand's type and compared with =.</summary>
internal sealed record InNode(CesqlNode Operand, CesqlNode[] Set, bool Negated) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        var l = Operand.Evaluate(attributes);
        if (l.Failed) return new CesqlResult(CesqlValue.False, l.Error);
        var error = CesqlErrorKind.None;
        var found = false;
        foreach (var member in Set)
        {
            var m = member.Evaluate(attributes);
            if (m.Failed) return new CesqlResult(CesqlValue.False, m.Error);
            var (v, e) = m.Value.CastTo(l.Value.Type);
            error = First(error, e);
            if (e == CesqlErrorKind.None && v.Equals(l.Value))
            {
                found = true;
                break;
            }
        }
        return new CesqlResult(CesqlValue.Of(found != Negated), error);
    }
}

internal sealed record FunctionNode(string Name, CesqlNode[] Arguments) : CesqlNode
{
    public override CesqlResult Evaluate(CesqlAttributes attributes)
    {
        if (!CesqlFunctions.TryResolve(Name, Arguments.Length, out var function))
            return new CesqlResult(CesqlValue.False, CesqlErrorKind.MissingFunction);
        var args = new CesqlValue[Arguments.Length];
        var error = CesqlErrorKind.None;
        for (var i = 0; i < args.Length; i++)
        {
            var r = Arguments[i].Evaluate(attributes);
            if (r.Failed) return new CesqlResult(CesqlValue.Default(function.Returns), r.Error);
            if (function.Parameter(i) is { } type && !function.ExplicitCast)
            {
                var (cast, e) = r.Value.CastTo(type);
                error = First(error, e);
                args[i] = cast;
            }
            else
            {
                args[i] = r.Value;
            }
        }
        var result = function.Invoke(args);
        return new CesqlResult(result.Value, First(error, result.Error));
    }
}
