namespace Kinlet.Eventing.Filters.Cesql;

/// <summary>
/// CESQL v1's built-in functions. Arguments are cast to the parameter types first (INT, BOOL and STRING do
/// their own, explicit, casts); a name or an argument count the spec does not define is a missingFunction error.
/// </summary>
internal static class CesqlFunctions
{
    internal sealed record Function(
        CesqlType Returns,
        CesqlType[] Parameters,
        bool Variadic,
        bool ExplicitCast,
        Func<CesqlValue[], CesqlResult> Invoke)
    {
        /// <summary>The type argument <paramref name="index"/> is cast to (variadic functions repeat the last one).</summary>
        public CesqlType? Parameter(int index) =>
            Parameters.Length == 0 ? null : Parameters[Math.Min(index, Parameters.Length - 1)];

        public bool Accepts(int count) => Variadic ? count >= Parameters.Length - 1 : count == Parameters.Length;
    }

    private static readonly CesqlType S = CesqlType.String, I = CesqlType.Integer, B = CesqlType.Boolean;

    private static CesqlResult Ok(CesqlValue value) => new(value, CesqlErrorKind.None);

    private static readonly Dictionary<string, Function[]> Table = new(StringComparer.Ordinal)
    {
        ["ABS"] = [new(I, [I], false, false, a => a[0].Integer == int.MinValue
            ? new CesqlResult(CesqlValue.Of(int.MaxValue), CesqlErrorKind.Math)
            : Ok(CesqlValue.Of(Math.Abs(a[0].Integer))))],
        ["LENGTH"] = [new(I, [S], false, false, a => Ok(CesqlValue.Of(a[0].String.Length)))],
        ["CONCAT"] = [new(S, [S], true, false, a => Ok(CesqlValue.Of(string.Concat(a.Select(v => v.String)))))],
        ["CONCAT_WS"] = [new(S, [S, S], true, false, a => Ok(CesqlValue.Of(string.Join(a[0].String, a.Skip(1).Select(v => v.String)))))],
        ["LOWER"] = [new(S, [S], false, false, a => Ok(CesqlValue.Of(a[0].String.ToLowerInvariant())))],
        ["UPPER"] = [new(S, [S], false, false, a => Ok(CesqlValue.Of(a[0].String.ToUpperInvariant())))],
        ["TRIM"] = [new(S, [S], false, false, a => Ok(CesqlValue.Of(a[0].String.Trim())))],
        ["LEFT"] = [new(S, [S, I], false, false, a => Left(a[0].String, a[1].Integer))],
        ["RIGHT"] = [new(S, [S, I], false, false, a => Right(a[0].String, a[1].Integer))],
        ["SUBSTRING"] =
        [
            new(S, [S, I], false, false, a => Substring(a[0].String, a[1].Integer, null)),
            new(S, [S, I, I], false, false, a => Substring(a[0].String, a[1].Integer, a[2].Integer)),
        ],
        ["INT"] = [new(I, [I], false, true, a => Cast(a[0], I))],
        ["BOOL"] = [new(B, [B], false, true, a => Cast(a[0], B))],
        ["STRING"] = [new(S, [S], false, true, a => Cast(a[0], S))],
        ["IS_INT"] = [new(B, [I], false, true, a => Ok(CesqlValue.Of(a[0].CastTo(I, explicitCast: true).Error == CesqlErrorKind.None)))],
        ["IS_BOOL"] = [new(B, [B], false, true, a => Ok(CesqlValue.Of(a[0].Type == B
            || a[0].Type == S && a[0].CastTo(B).Error == CesqlErrorKind.None)))],
        ["IS_STRING"] = [new(B, [S], false, true, a => Ok(CesqlValue.Of(a[0].Type == S)))],
    };

    public static bool TryResolve(string name, int count, out Function function)
    {
        function = null!;
        if (!Table.TryGetValue(name, out var overloads)) return false;
        foreach (var f in overloads)
        {
            if (!f.Accepts(count)) continue;
            function = f;
            return true;
        }
        return false;
    }

    private static CesqlResult Cast(CesqlValue value, CesqlType type)
    {
        var (v, e) = value.CastTo(type, explicitCast: true);
        return new CesqlResult(v, e);
    }

    private static CesqlResult Left(string s, int n) => n < 0
        ? new CesqlResult(CesqlValue.Of(s), CesqlErrorKind.FunctionEvaluation)
        : Ok(CesqlValue.Of(s[..Math.Min(n, s.Length)]));

    private static CesqlResult Right(string s, int n) => n < 0
        ? new CesqlResult(CesqlValue.Of(s), CesqlErrorKind.FunctionEvaluation)
        : Ok(CesqlValue.Of(s[^Math.Min(n, s.Length)..]));

    /// <summary>MySQL's SUBSTRING: 1-based, a negative position counts from the end, 0 gives "".</summary>
    private static CesqlResult Substring(string s, int position, int? length)
    {
        if (position == 0) return Ok(CesqlValue.Of(""));
        if (position > s.Length || -position > s.Length || length < 0)
            return new CesqlResult(CesqlValue.Of(""), CesqlErrorKind.FunctionEvaluation);
        var start = position > 0 ? position - 1 : s.Length + position;
        var count = length is { } l ? Math.Min(l, s.Length - start) : s.Length - start;
        return Ok(CesqlValue.Of(s.Substring(start, count)));
    }
}
