namespace Kinlet.Serving.RevisionGc;

/// <summary>Knative's config-gc defaults (section "Kinlet:RevisionGc").</summary>
public sealed class RevisionGcOptions
{
    public const string Section = "Kinlet:RevisionGc";

    /// <summary>Keep revisions created within this [retain-since-create-time].</summary>
    public TimeSpan RetainSinceCreateTime { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Keep revisions routed within this [retain-since-last-active-time].</summary>
    public TimeSpan RetainSinceLastActiveTime { get; set; } = TimeSpan.FromHours(15);

    /// <summary>Always keep this many of the newest non-active revisions per service [min-non-active-revisions].</summary>
    public int MinNonActiveRevisions { get; set; } = 20;

    /// <summary>Never keep more non-active revisions than this, however recent (0: no limit) [max-non-active-revisions].</summary>
    public int MaxNonActiveRevisions { get; set; } = 1000;

    /// <summary>How often the collector runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}
