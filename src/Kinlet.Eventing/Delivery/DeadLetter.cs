namespace Kinlet.Eventing.Delivery;

/// <summary>
/// The extensions Knative adds to an event it dead-letters: the URL that failed, the last status (500 when
/// there was no response) and the response body, base64 of at most its first 1024 bytes.
/// </summary>
public static class DeadLetter
{
    public const string ErrorDest = "knativeerrordest";
    public const string ErrorCode = "knativeerrorcode";
    public const string ErrorData = "knativeerrordata";
    public const int MaxDataBytes = 1024;

    public static IReadOnlyList<KeyValuePair<string, string>> Extensions(string destination, int? status, ReadOnlySpan<byte> body)
    {
        var list = new List<KeyValuePair<string, string>>(3)
        {
            new(ErrorDest, destination),
            new(ErrorCode, (status ?? 500).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (!body.IsEmpty) list.Add(new(ErrorData, Convert.ToBase64String(body.Length > MaxDataBytes ? body[..MaxDataBytes] : body)));
        return list;
    }
}
