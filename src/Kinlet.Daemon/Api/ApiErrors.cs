using System.Text.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Validation;
using Kinlet.Serving.Controllers;

namespace Kinlet.Daemon.Api;

/// <summary>Errors as <c>{"error": "...", "field": "..."}</c> with a 4xx status; one place maps exceptions to statuses.</summary>
public static partial class ApiErrors
{
    public static async Task WriteAsync(HttpContext context, int status, string message, string? field)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        if (!string.IsNullOrEmpty(field)) writer.WriteString("field", field);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Middleware: known exceptions become their 4xx; anything else is a logged 500 that never takes the daemon down.</summary>
    public static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ValidationException e)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, e.Errors.Count > 0 ? e.Errors[0].Message : e.Message, e.Field).ConfigureAwait(false);
        }
        catch (ManifestException e)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, e.Message, null).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException e)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, e.Message, null).ConfigureAwait(false);
        }
        catch (ResourceConflictException e)
        {
            await WriteAsync(context, StatusCodes.Status409Conflict, e.Message, e.Field).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await WriteAsync(context, e.StatusCode, e.Message, null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kinlet.Daemon.Api");
            LogUnhandled(logger, context.Request.Method, context.Request.Path.Value ?? "", e);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "internal error: " + e.Message, null).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Control API {Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
