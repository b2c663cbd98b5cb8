using System.Globalization;

namespace Kinlet.Core;

/// <summary>
/// Kubernetes resource quantities (<c>350Mi</c>, <c>1Gi</c>, <c>500M</c>, <c>1e9</c>, <c>500m</c>, <c>0.25</c>):
/// a non-negative decimal number followed by a binary suffix (Ki..Ei), a decimal suffix (m, k, M..E)
/// or a decimal exponent (e3, E-2). Fractions round up, as Kubernetes' Value() and MilliValue() do.
/// </summary>
public static class Quantity
{
    /// <summary>Parses a quantity to its exact value; false for negatives, garbage, empty or overflow.</summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 64) return false;

        var s = text.AsSpan();
        if (s[0] == '+') s = s[1..];
        var end = 0;
        var digits = 0;
        var dot = false;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || (s[end] == '.' && !dot)))
        {
            if (s[end] == '.') dot = true; else digits++;
            end++;
        }
        if (digits == 0) return false; // also rejects a leading '-': negatives are never valid here
        if (!decimal.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;

        var suffix = s[end..];
        try
        {
            if (suffix.Length > 0 && suffix[0] is 'e' or 'E' && TryExponent(suffix[1..], out var exp))
                value = Scale(number, exp);
            else if (TryMultiplier(suffix, out var factor))
                value = number * factor;
            else
                return false;
        }
        catch (OverflowException)
        {
            return false;
        }
        return true;
    }

    private static bool TryMultiplier(ReadOnlySpan<char> suffix, out decimal factor)
    {
        factor = suffix switch
        {
            "" => 1m,
            "m" => 0.001m,
            "k" => 1e3m,
            "M" => 1e6m,
            "G" => 1e9m,
            "T" => 1e12m,
            "P" => 1e15m,
            "E" => 1e18m,
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            "Ti" => 1L << 40,
            "Pi" => 1L << 50,
            "Ei" => 1L << 60,
            _ => 0m,
        };
        return factor != 0m;
    }

    /// <summary>A memory quantity in bytes (<c>350Mi</c> → 367001600), rounded up to a whole byte.</summary>
    public static bool TryParseBytes(string? text, out long bytes)
    {
        bytes = 0;
        if (!TryParse(text, out var v)) return false;
        return TryCeiling(v, out bytes);
    }

    /// <summary>A CPU quantity in thousandths of a core (<c>500m</c> → 500, <c>2</c> → 2000), rounded up.</summary>
    public static bool TryParseMilliCpu(string? text, out long milliCpu)
    {
        milliCpu = 0;
        if (!TryParse(text, out var v)) return false;
        try
        {
            return TryCeiling(v * 1000m, out milliCpu);
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool TryExponent(ReadOnlySpan<char> s, out int exponent) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
        && s.Length > 0 && char.IsAsciiDigit(s[^1]) && exponent is >= -40 and <= 40;

    private static decimal Scale(decimal number, int exponent)
    {
        for (; exponent > 0; exponent--) number *= 10m;
        for (; exponent < 0; exponent++) number /= 10m;
        return number;
    }

    private static bool TryCeiling(decimal v, out long result)
    {
        result = 0;
        var c = decimal.Ceiling(v);
        if (c > long.MaxValue) return false;
        result = (long)c;
        return true;
    }
}
