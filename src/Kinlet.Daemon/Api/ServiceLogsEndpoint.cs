using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kinlet.Containers;
using Kinlet.Core.Validation;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Logs;
using Microsoft.AspNetCore.Http.Features;

namespace Kinlet.Daemon.Api;

/// <summary>
/// <c>GET …/namespaces/{ns}/services/{name}/logs?follow=true&amp;revision=R&amp;since=SECONDS&amp;tail=N</c>: the
/// service's logs as NDJSON, one object per line, each written (and flushed) as soon as it is known:
/// <c>{"time","instance","revision","container","stream","source","line"}</c>, source <c>instance</c> or <c>kinletd</c>;
/// <c>container</c> only on a sidecar's or an init container's lines; <c>container=NAME</c> keeps one container's lines.
/// Following ends when the client goes away.
/// </summary>
public static class ServiceLogsEndpoint
{
    public const string ContentType = "application/x-ndjson";

    public static async Task HandleAsync(string ns, string name, HttpContext http, ServiceController services, ServiceLogReader reader)
    {
        services.Get(ns, name); // 404 for a service that does not exist
        var query = ParseQuery(ns, name, http.Request.Query);
        if (query.Revision is { } revision && !services.ListRevisions(ns, name).Any(r => r.Metadata.Name == revision))
        {
            await ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, $"revision \"{revision}\" of service \"{name}\" not found", "revision").ConfigureAwait(false);
            return;
        }

        var ct = http.RequestAborted;
        http.Response.ContentType = ContentType;
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // Headers at once: a follower with nothing to show yet still knows the stream is open.
        await http.Response.StartAsync(ct).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);

        var buffer = new ArrayBufferWriter<byte>(512);
        // Lines are people's text: "→" and quotes stay as they are (still valid JSON).
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        try
        {
            await foreach (var entry in reader.ReadAsync(query, ct).ConfigureAwait(false))
            {
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                Write(json, entry);
                json.Flush();
                buffer.Write("\n"u8);
                await http.Response.Body.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away (Ctrl-C on `kinlet logs -f`): nothing left to do.
        }
    }

    internal static ServiceLogQuery ParseQuery(string ns, string name, IQueryCollection q)
    {
        var follow = q["follow"].ToString() switch
        {
            "" or "false" or "0" => false,
            "true" or "1" => true,
            var other => throw new ValidationException("follow", $"\"{other}\" is not true or false"),
        };
        TimeSpan? since = null;
        if (q["since"].ToString() is { Length: > 0 } s)
        {
            if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
                throw new ValidationException("since", $"\"{s}\" is not a number of seconds");
            since = TimeSpan.FromSeconds(seconds);
        }
        int? tail = null;
        if (q["tail"].ToString() is { Length: > 0 } t)
        {
            if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new ValidationException("tail", $"\"{t}\" is not a number of lines (0 or more)");
            tail = n;
        }
        var revision = q["revision"].ToString() is { Length: > 0 } r ? r : null;
        string? container = null;
        if (q["container"].ToString() is { Length: > 0 } c)
        {
            if (Names.ValidateDns1123Label(c) is { } bad) throw new ValidationException("container", bad);
            container = c;
        }
        return new ServiceLogQuery(ns, name, revision, follow, since, tail, container);
    }

    internal static void Write(Utf8JsonWriter json, ServiceLogEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("time", entry.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        if (entry.Instance is { } instance) json.WriteString("instance", instance);
        if (entry.Revision is { } revision) json.WriteString("revision", revision);
        if (entry.Container is { } container) json.WriteString("container", container);
        if (entry.Stream is { } stream) json.WriteString("stream", stream == LogStream.Stderr ? "stderr" : "stdout");
        json.WriteString("source", entry.Source == LogSource.Kinletd ? "kinletd" : "instance");
        json.WriteString("line", entry.Line);
        json.WriteEndObject();
    }
}
