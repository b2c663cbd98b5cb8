using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.Protocols;

/// <summary>
/// kinletd's own answers to a gRPC call (no service, no instance, deadline passed) as a gRPC client reads them:
/// a trailers-only response (HTTP 200, <c>grpc-status</c> and <c>grpc-message</c> in the headers) with the code the
/// gRPC spec maps the HTTP status to, except that a passed deadline is DEADLINE_EXCEEDED rather than UNAVAILABLE.
/// </summary>
public static class GrpcStatus
{
    public const int DeadlineExceeded = 4;
    public const int Unimplemented = 12;
    public const int Unavailable = 14;
    public const int Unknown = 2;
    public const int Internal = 13;

    /// <summary>application/grpc, application/grpc+proto, ...: a gRPC call (gRPC-Web is application/grpc-web and stays HTTP).</summary>
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type
        && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (type.Length == 16 || type[16] is '+' or ';');

    public static int FromHttpStatus(int status) => status switch
    {
        StatusCodes.Status504GatewayTimeout => DeadlineExceeded,
        StatusCodes.Status404NotFound => Unimplemented,
        StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests => Unavailable,
        StatusCodes.Status400BadRequest => Internal,
        _ => Unknown,
    };

    /// <summary>Writes the trailers-only answer for <paramref name="httpStatus"/>; the response must not have started.</summary>
    public static Task WriteAsync(HttpContext context, int httpStatus, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = FromHttpStatus(httpStatus).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = EncodeMessage(message);
        return Task.CompletedTask;
    }

    /// <summary>grpc-message is percent-encoded UTF-8: printable ASCII but '%' as it is, everything else %XX.</summary>
    public static string EncodeMessage(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.TrimEnd('\n'));
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%') text.Append((char)b);
            else text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
