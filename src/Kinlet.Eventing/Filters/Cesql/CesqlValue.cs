using System.Globalization;

namespace Kinlet.Eventing.Filters.Cesql;

/// <summary>The three CESQL v1 types.</summary>
public enum CesqlType { Boolean, Integer, String }

/// <summary>What went wrong while evaluating; the expression still has a value (the type's default, or what the spec says).</summary>
public enum CesqlErrorKind { None, Math, Cast, MissingFunction, FunctionEvaluation, MissingAttribute, Generic }

/// <summary>One CESQL value: a boolean, a 32-bit integer or a string. Immutable, no allocation for booleans and integers.</summary>
public readonly record struct CesqlValue
{
    private readonly object? _string;

    private CesqlValue(CesqlType type, bool b, int i, string? s)
    {
        Type = type;
        Boolean = b;
        Integer = i;
        _string = s;
    }

    public CesqlType Type { get; }
    public bool Boolean { get; }
    public int Integer { get; }
    public string String => (string?)_string ?? "";

    public static readonly CesqlValue True = new(CesqlType.Boolean, true, 0, null);
    public static readonly CesqlValue False = new(CesqlType.Boolean, false, 0, null);

    public static CesqlValue Of(bool value) => value ? True : False;
    public static CesqlValue Of(int value) => new(CesqlType.Integer, false, value, null);
    public static CesqlValue Of(string value) => new(CesqlType.String, false, 0, value);

    public static CesqlValue Default(CesqlType type) => type switch
    {
        CesqlType.Boolean => False,
        CesqlType.Integer => Of(0),
        _ => Of(""),
    };

    public object ToObject() => Type switch
    {
        CesqlType.Boolean => Boolean,
        CesqlType.Integer => Integer,
        _ => String,
    };

    public override string ToString() => Type switch
    {
        CesqlType.Boolean => Boolean ? "true" : "false",
        CesqlType.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        _ => String,
    };

    /// <summary>
    /// The spec's casts. Explicit ones (INT(), BOOL(), STRING()) allow integer → boolean (non-zero is true); the
    /// implicit ones operators apply do not. A value that cannot be cast becomes the target's default, with a cast error.
    /// </summary>
    public (CesqlValue Value, CesqlErrorKind Error) CastTo(CesqlType target, bool explicitCast = false)
    {
        if (Type == target) return (this, CesqlErrorKind.None);
        switch (target)
        {
            case CesqlType.String:
                return (Of(ToString()), CesqlErrorKind.None);
            case CesqlType.Integer:
                if (Type == CesqlType.Boolean) return (Of(Boolean ? 1 : 0), CesqlErrorKind.None);
                return int.TryParse(String, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                    ? (Of(i), CesqlErrorKind.None)
                    : (Of(0), CesqlErrorKind.Cast);
            default:
                if (Type == CesqlType.Integer)
                    return explicitCast ? (Of(Integer != 0), CesqlErrorKind.None) : (False, CesqlErrorKind.Cast);
                if (string.Equals(String, "true", StringComparison.OrdinalIgnoreCase)) return (True, CesqlErrorKind.None);
                if (string.Equals(String, "false", StringComparison.OrdinalIgnoreCase)) return (False, CesqlErrorKind.None);
                return (False, CesqlErrorKind.Cast);
        }
    }
}

/// <summary>An evaluation's outcome: a value always, and the first error met (if any).</summary>
public readonly record struct CesqlResult(CesqlValue Value, CesqlErrorKind Error)
{
    public bool Failed => Error != CesqlErrorKind.None;
}

/// <summary>An expression that is not CESQL v1; the message says where.</summary>
public sealed class CesqlParseException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}
