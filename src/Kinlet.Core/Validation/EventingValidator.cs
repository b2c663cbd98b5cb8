using System.Text.Json;
using Kinlet.Core.Model;

namespace Kinlet.Core.Validation;

/// <summary>
/// The shape of Broker, Trigger and PingSource resources, as Knative's webhooks check it; every error names its
/// field. What needs the eventing engine (filter dialects and CESQL, delivery durations, cron schedules) is
/// checked by Kinlet.Eventing when the resource is applied.
/// </summary>
public static class EventingValidator
{
    public static IReadOnlyList<FieldError> Validate(Broker broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var errors = new List<FieldError>();
        Header(broker.ApiVersion, KnativeApi.EventingV1, broker.Kind, "Broker", broker.Metadata, errors);
        if (broker.Spec?.Delivery?.DeadLetterSink is { } dls) Destination(dls, "spec.delivery.deadLetterSink", errors);
        return errors;
    }

    public static IReadOnlyList<FieldError> Validate(Trigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var errors = new List<FieldError>();
        Header(trigger.ApiVersion, KnativeApi.EventingV1, trigger.Kind, "Trigger", trigger.Metadata, errors);
        if (trigger.Spec is not { } spec)
        {
            errors.Add(new("spec", "required"));
            return errors;
        }
        if (string.IsNullOrEmpty(spec.Broker)) errors.Add(new("spec.broker", "required: the broker whose events this trigger filters"));
        else if (Names.ValidateDns1123Label(spec.Broker) is { } b) errors.Add(new("spec.broker", b));
        if (spec.Subscriber is not { } subscriber) errors.Add(new("spec.subscriber", "required: a ref to a service or a uri"));
        else Destination(subscriber, "spec.subscriber", errors);
        if (spec.Delivery?.DeadLetterSink is { } dls) Destination(dls, "spec.delivery.deadLetterSink", errors);
        return errors;
    }

    public static IReadOnlyList<FieldError> Validate(PingSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var errors = new List<FieldError>();
        Header(source.ApiVersion, KnativeApi.SourcesV1, source.Kind, "PingSource", source.Metadata, errors);
        if (source.Spec is not { } spec)
        {
            errors.Add(new("spec", "required"));
            return errors;
        }
        if (string.IsNullOrWhiteSpace(spec.Schedule)) errors.Add(new("spec.schedule", "required: a 5-field cron schedule, e.g. \"*/1 * * * *\""));
        if (spec.Timezone is { Length: > 0 } tz && !TimeZoneExists(tz)) errors.Add(new("spec.timezone", $"unknown time zone \"{tz}\" (use an IANA name, e.g. Europe/Paris)"));
        if (spec.Data is not null && spec.DataBase64 is not null) errors.Add(new("spec.dataBase64", "set data or dataBase64, not both"));
        if (spec.DataBase64 is { } b64 && !IsBase64(b64)) errors.Add(new("spec.dataBase64", "not valid base64"));
        if (spec.Data is { } data && (spec.ContentType ?? "application/json").StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !IsJsonObject(data))
            errors.Add(new("spec.data", "with contentType application/json the data must be a JSON object"));
        if (spec.Sink is not { } sink) errors.Add(new("spec.sink", "required: a ref to a broker or service, or a uri"));
        else Destination(sink, "spec.sink", errors);
        return errors;
    }

    public static void ThrowIfInvalid(IReadOnlyList<FieldError> errors)
    {
        if (errors.Count > 0) throw new ValidationException(errors);
    }

    private static void Header(string apiVersion, string expectedApiVersion, string kind, string expectedKind, ObjectMeta? meta, List<FieldError> errors)
    {
        if (apiVersion != expectedApiVersion) errors.Add(new("apiVersion", $"must be \"{expectedApiVersion}\""));
        if (kind != expectedKind) errors.Add(new("kind", $"must be \"{expectedKind}\""));
        if (meta is null)
        {
            errors.Add(new("metadata.name", "required"));
            return;
        }
        if (string.IsNullOrEmpty(meta.Name)) errors.Add(new("metadata.name", "required"));
        else if (Names.ValidateDns1123Label(meta.Name) is { } n) errors.Add(new("metadata.name", n));
        if (!string.IsNullOrEmpty(meta.Namespace) && Names.ValidateDns1123Label(meta.Namespace) is { } ns) errors.Add(new("metadata.namespace", ns));
        ServiceValidator.ValidateLabelsAndAnnotations(meta, "metadata", errors);
    }

    /// <summary>Knative's Destination: a ref (Service or Broker, by name) or an absolute http(s) uri; with a ref the uri is relative to it.</summary>
    private static void Destination(Destination destination, string path, List<FieldError> errors)
    {
        if (destination.Ref is null && string.IsNullOrEmpty(destination.Uri))
        {
            errors.Add(new(path, "set ref or uri"));
            return;
        }
        if (destination.Ref is { } r)
        {
            var kind = r.Kind ?? "";
            if (kind is not ("Service" or "Broker"))
                errors.Add(new(path + ".ref.kind", "must be \"Service\" (serving.knative.dev/v1) or \"Broker\" (eventing.knative.dev/v1)"));
            else if (r.ApiVersion is { Length: > 0 } av && av != (kind == "Service" ? KnativeApi.ServingV1 : KnativeApi.EventingV1))
                errors.Add(new(path + ".ref.apiVersion", $"must be \"{(kind == "Service" ? KnativeApi.ServingV1 : KnativeApi.EventingV1)}\" for kind {kind}"));
            if (string.IsNullOrEmpty(r.Name)) errors.Add(new(path + ".ref.name", "required"));
            else if (Names.ValidateDns1123Label(r.Name) is { } n) errors.Add(new(path + ".ref.name", n));
            if (!string.IsNullOrEmpty(r.Namespace) && Names.ValidateDns1123Label(r.Namespace) is { } ns) errors.Add(new(path + ".ref.namespace", ns));
            // "/hooks" parses as an absolute file: URI on Unix, so a leading slash is checked first.
            if (destination.Uri is { Length: > 0 } rel && rel[0] != '/' && Uri.TryCreate(rel, UriKind.Absolute, out _))
                errors.Add(new(path + ".uri", "with a ref the uri is a path relative to it, e.g. /hooks"));
            return;
        }
        if (!Uri.TryCreate(destination.Uri, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            errors.Add(new(path + ".uri", $"\"{destination.Uri}\" is not an absolute http(s) URL"));
    }

    private static bool TimeZoneExists(string id)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 + 3) / 4];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
