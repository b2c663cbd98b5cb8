namespace Kinlet.Core.Model;

/// <summary>A Knative status condition (Ready, ConfigurationsReady, RoutesReady, ...).</summary>
public sealed class Condition
{
    public string Type { get; set; } = "";
    /// <summary>"True", "False" or "Unknown", as strings, as in Kubernetes.</summary>
    public string Status { get; set; } = ConditionStatus.Unknown;
    public string? Reason { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset? LastTransitionTime { get; set; }
    public string? Severity { get; set; }
}

public static class ConditionStatus
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}

public static class ConditionTypes
{
    public const string Ready = "Ready";
    public const string ConfigurationsReady = "ConfigurationsReady";
    public const string RoutesReady = "RoutesReady";
    public const string ResourcesAvailable = "ResourcesAvailable";
    public const string ContainerHealthy = "ContainerHealthy";
    public const string Active = "Active";
    public const string LatestReadyRevisionReady = "LatestReadyRevisionReady";
    public const string AllTrafficAssigned = "AllTrafficAssigned";
}

public static class ConditionExtensions
{
    public static Condition? Get(this List<Condition>? conditions, string type)
    {
        if (conditions is null) return null;
        foreach (var c in conditions)
            if (c.Type == type) return c;
        return null;
    }

    public static bool IsTrue(this List<Condition>? conditions, string type) =>
        conditions.Get(type)?.Status == ConditionStatus.True;

    public static bool IsFalse(this List<Condition>? conditions, string type) =>
        conditions.Get(type)?.Status == ConditionStatus.False;

    /// <summary>Sets a condition; the transition time changes only when the status does.</summary>
    public static void Set(this List<Condition> conditions, string type, string status, string? reason,
        string? message, DateTimeOffset now)
    {
        var existing = conditions.Get(type);
        if (existing is null)
        {
            conditions.Add(new Condition { Type = type, Status = status, Reason = reason, Message = message, LastTransitionTime = now });
            return;
        }
        if (existing.Status != status) existing.LastTransitionTime = now;
        existing.Status = status;
        existing.Reason = reason;
        existing.Message = message;
    }
}
