using System.Security.Cryptography;
using System.Text;
using Kinlet.Daemon.Configuration;

namespace Kinlet.Daemon.Api;

/// <summary>Every control path but the health checks needs <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
public sealed class TokenAuthMiddleware(RequestDelegate next, StateDirectory state)
{
    private readonly byte[] _token = state.TokenBytes;

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.Equals("/healthz", StringComparison.Ordinal) || path.Equals("/readyz", StringComparison.Ordinal))
            return next(context);
        if (IsAuthorized(context.Request.Headers.Authorization.ToString())) return next(context);
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized,
            $"missing or wrong token: send 'Authorization: Bearer <token>'; the token is in {state.TokenPath}", null);
    }

    private bool IsAuthorized(string header)
    {
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var given = Encoding.UTF8.GetBytes(header.AsSpan(prefix.Length).Trim().ToString());
        return CryptographicOperations.FixedTimeEquals(given, _token);
    }
}
