using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kinlet.Core.Json;

/// <summary>
/// A file mode (<c>defaultMode</c>, <c>items[].mode</c>): a JSON number is decimal (256), as in Kubernetes' API; a
/// YAML <c>0400</c> reaches here as the string "0400" (JSON has no leading zeros) and is octal, as kubectl's YAML 1.1
/// reads it; <c>0o400</c> is octal too. Written back as a decimal number.
/// </summary>
public sealed class FileModeConverter : JsonConverter<int?>
{
    public override bool HandleNull => true;

    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt32(out var n):
                return n;
            case JsonTokenType.String:
                var s = reader.GetString() ?? "";
                var octal = s.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? s[2..] : s.StartsWith('0') ? s : null;
                if (octal is not null && octal.Length > 0 && octal.All(c => c is >= '0' and <= '7'))
                    return Convert.ToInt32(octal, 8);
                if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var d)) return d;
                break;
        }
        throw new JsonException("must be a file mode such as 0400 (octal) or 256 (decimal)");
    }

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteNumberValue(v);
        else writer.WriteNullValue();
    }
}
