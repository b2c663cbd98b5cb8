using System.Globalization;
using System.Text;

namespace Kinlet.Eventing.Filters.Cesql;

/// <summary>
/// CloudEvents SQL v1 (cloudevents/spec, cesql/): a hand-written lexer and precedence-climbing parser
/// following the spec's ANTLR grammar. Precedence, tightest first: function calls, prefix NOT and minus,
/// LIKE and IN, * / %, + -, comparisons, then AND/OR/XOR (one level, right-associative, as the grammar has it).
/// Keywords and attribute names are case-insensitive (attributes are looked up lower-case).
/// </summary>
internal sealed class CesqlParser
{
    private enum Kind { Int, String, Ident, LParen, RParen, Comma, Op, End }

    private readonly record struct Token(Kind Kind, string Text, int Position, long Number = 0);

    private readonly List<Token> _tokens;
    private int _next;

    private CesqlParser(List<Token> tokens) => _tokens = tokens;

    public static CesqlNode Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parser = new CesqlParser(Lex(expression));
        var node = parser.Expression(0);
        var end = parser.Peek();
        if (end.Kind != Kind.End) throw Error($"unexpected '{end.Text}'", end.Position);
        return node;
    }

    // Binding powers: higher binds tighter.
    private const int LogicBp = 10, ComparisonBp = 20, AdditiveBp = 30, MultiplicativeBp = 40, PostfixBp = 50;

    private CesqlNode Expression(int minBp)
    {
        var left = Prefix();
        while (true)
        {
            var t = Peek();
            if (IsKeyword(t, "NOT") && (IsKeyword(PeekAt(1), "LIKE") || IsKeyword(PeekAt(1), "IN")) || IsKeyword(t, "LIKE") || IsKeyword(t, "IN"))
            {
                if (PostfixBp < minBp) return left;
                var negated = false;
                if (IsKeyword(t, "NOT"))
                {
                    negated = true;
                    Take();
                }
                var op = Take();
                left = IsKeyword(op, "LIKE") ? Like(left, negated, op) : In(left, negated);
                continue;
            }

            var (bp, rightAssoc) = Binding(t);
            if (bp == 0 || bp < minBp) return left;
            Take();
            var right = Expression(rightAssoc ? bp : bp + 1);
            left = Binary(t, left, right);
        }
    }

    private static (int Bp, bool RightAssoc) Binding(Token t)
    {
        if (t.Kind == Kind.Op)
        {
            return t.Text switch
            {
                "*" or "/" or "%" => (MultiplicativeBp, false),
                "+" or "-" => (AdditiveBp, false),
                "=" or "!=" or "<>" or "<" or "<=" or ">" or ">=" => (ComparisonBp, false),
                _ => (0, false),
            };
        }
        if (IsKeyword(t, "AND") || IsKeyword(t, "OR") || IsKeyword(t, "XOR")) return (LogicBp, true);
        return (0, false);
    }

    private static CesqlNode Binary(Token op, CesqlNode left, CesqlNode right)
    {
        if (op.Kind == Kind.Ident) return new LogicNode(op.Text.ToUpperInvariant(), left, right);
        return op.Text switch
        {
            "+" or "-" or "*" or "/" or "%" => new ArithmeticNode(op.Text[0], left, right),
            "=" => new EqualityNode(left, right, Negated: false),
            "!=" or "<>" => new EqualityNode(left, right, Negated: true),
            _ => new RelationalNode(op.Text, left, right),
        };
    }

    private CesqlNode Prefix()
    {
        var t = Take();
        switch (t.Kind)
        {
            case Kind.Int:
                if (t.Number > int.MaxValue) throw Error($"integer {t.Text} is out of range", t.Position);
                return new LiteralNode(CesqlValue.Of((int)t.Number));
            case Kind.String:
                return new LiteralNode(CesqlValue.Of(t.Text));
            case Kind.LParen:
                var inner = Expression(0);
                Expect(Kind.RParen, "')'");
                return inner;
            case Kind.Op when t.Text == "-":
                // A literal keeps its sign, so -2147483648 is an integer, not an overflow.
                if (Peek() is { Kind: Kind.Int } number)
                {
                    Take();
                    if (number.Number > (long)int.MaxValue + 1) throw Error($"integer -{number.Text} is out of range", number.Position);
                    return new LiteralNode(CesqlValue.Of((int)-number.Number));
                }
                return new NegateNode(Prefix());
            case Kind.Ident:
                if (IsKeyword(t, "NOT")) return new NotNode(Prefix());
                if (IsKeyword(t, "TRUE")) return new LiteralNode(CesqlValue.True);
                if (IsKeyword(t, "FALSE")) return new LiteralNode(CesqlValue.False);
                if (IsKeyword(t, "EXISTS"))
                {
                    var name = Take();
                    if (name.Kind != Kind.Ident || IsReserved(name)) throw Error("EXISTS needs an attribute name", name.Position);
                    return new ExistsNode(AttributeName(name));
                }
                if (IsReserved(t)) throw Error($"unexpected '{t.Text}'", t.Position);
                if (Peek().Kind == Kind.LParen)
                {
                    Take();
                    var args = new List<CesqlNode>();
                    if (Peek().Kind != Kind.RParen)
                    {
                        do args.Add(Expression(0));
                        while (TakeIf(Kind.Comma));
                    }
                    Expect(Kind.RParen, "')' after the function's arguments");
                    return new FunctionNode(t.Text.ToUpperInvariant(), [.. args]);
                }
                return new AttributeNode(AttributeName(t));
            case Kind.End:
                throw Error("the expression ends too early", t.Position);
            default:
                throw Error($"unexpected '{t.Text}'", t.Position);
        }
    }

    private CesqlNode Like(CesqlNode operand, bool negated, Token op)
    {
        var pattern = Take();
        if (pattern.Kind != Kind.String) throw Error("LIKE needs a string literal pattern", pattern.Kind == Kind.End ? op.Position : pattern.Position);
        return new LikeNode(operand, LikeNode.Compile(pattern.Text), negated);
    }

    private CesqlNode In(CesqlNode operand, bool negated)
    {
        Expect(Kind.LParen, "'(' after IN");
        var set = new List<CesqlNode>();
        do set.Add(Expression(0));
        while (TakeIf(Kind.Comma));
        Expect(Kind.RParen, "')' after the IN list");
        return new InNode(operand, [.. set], negated);
    }

    private static string AttributeName(Token t)
    {
        foreach (var c in t.Text)
            if (!char.IsAsciiLetterOrDigit(c)) throw Error($"'{t.Text}' is not an attribute name (letters and digits only)", t.Position);
        return t.Text.ToLowerInvariant();
    }

    private static readonly string[] Reserved = ["AND", "OR", "XOR", "NOT", "LIKE", "IN", "EXISTS", "TRUE", "FALSE"];

    private static bool IsReserved(Token t) => t.Kind == Kind.Ident && Array.Exists(Reserved, k => string.Equals(k, t.Text, StringComparison.OrdinalIgnoreCase));

    private static bool IsKeyword(Token t, string keyword) => t.Kind == Kind.Ident && string.Equals(t.Text, keyword, StringComparison.OrdinalIgnoreCase);

    private Token Peek() => _tokens[Math.Min(_next, _tokens.Count - 1)];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private Token Take() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

    private bool TakeIf(Kind kind)
    {
        if (Peek().Kind != kind) return false;
        _next++;
        return true;
    }

    private void Expect(Kind kind, string what)
    {
        var t = Take();
        if (t.Kind != kind) throw Error($"expected {what}, found {(t.Kind == Kind.End ? "the end" : "'" + t.Text + "'")}", t.Position);
    }

    private static CesqlParseException Error(string message, int position) =>
        new($"CESQL: {message} at position {position.ToString(CultureInfo.InvariantCulture)}", position);

    private static List<Token> Lex(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            var start = i;
            if (char.IsAsciiDigit(c))
            {
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                if (i < s.Length && (char.IsAsciiLetter(s[i]) || s[i] == '_'))
                {
                    // Attribute names may hold digits anywhere ("1ext" is a name, not a number).
                    while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
                    tokens.Add(new Token(Kind.Ident, s[start..i], start));
                    continue;
                }
                var text = s[start..i];
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > (long)int.MaxValue + 1)
                    throw Error($"integer {text} is out of range", start);
                tokens.Add(new Token(Kind.Int, text, start, n));
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new Token(Kind.Ident, s[start..i], start));
                continue;
            }
            if (c is '\'' or '"')
            {
                tokens.Add(new Token(Kind.String, ReadString(s, ref i), start));
                continue;
            }
            switch (c)
            {
                case '(':
                    tokens.Add(new Token(Kind.LParen, "(", start));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new Token(Kind.RParen, ")", start));
                    i++;
                    continue;
                case ',':
                    tokens.Add(new Token(Kind.Comma, ",", start));
                    i++;
                    continue;
            }
            var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
            if (two is "!=" or "<>" or "<=" or ">=")
            {
                tokens.Add(new Token(Kind.Op, two, start));
                i += 2;
                continue;
            }
            if (c is '+' or '-' or '*' or '/' or '%' or '=' or '<' or '>')
            {
                tokens.Add(new Token(Kind.Op, c.ToString(), start));
                i++;
                continue;
            }
            throw Error($"unexpected character '{c}'", start);
        }
        tokens.Add(new Token(Kind.End, "", s.Length));
        return tokens;
    }

    /// <summary>A quoted literal; the quote character escaped with a backslash stands for itself, other backslashes stay.</summary>
    private static string ReadString(string s, ref int i)
    {
        var quote = s[i];
        var start = i++;
        var sb = new StringBuilder();
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && s[i + 1] == quote)
            {
                sb.Append(quote);
                i += 2;
                continue;
            }
            if (c == quote)
            {
                i++;
                return sb.ToString();
            }
            sb.Append(c);
            i++;
        }
        throw Error("unterminated string literal", start);
    }
}
