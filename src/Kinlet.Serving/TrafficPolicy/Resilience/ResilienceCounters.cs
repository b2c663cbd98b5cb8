namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>The resilience events counted per rule (and, in /metrics, per revision too).</summary>
public enum ResilienceEvent
{
    Retry,
    RetryBudgetExhausted,
    FaultDelay,
    FaultAbort,
    MirrorSent,
    MirrorDropped,
    Overflow,
    Ejection,
    Timeout,
}

/// <summary>A rule's resilience counters for <c>kinlet route describe</c>: Interlocked, no lock.</summary>
public sealed class ResilienceCounters
{
    public static readonly string[] EventNames =
        ["retry", "retry_budget_exhausted", "fault_delay", "fault_abort", "mirror_sent", "mirror_dropped", "overflow", "ejection", "timeout"];

    private readonly long[] _counts = new long[EventNames.Length];

    public void Add(ResilienceEvent e) => Interlocked.Increment(ref _counts[(int)e]);

    public long this[ResilienceEvent e] => Interlocked.Read(ref _counts[(int)e]);

    /// <summary>"retry=3 fault_abort=10", only the events that happened; "-" when none.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        for (var i = 0; i < _counts.Length; i++)
        {
            var n = Interlocked.Read(ref _counts[i]);
            if (n != 0) parts.Add(EventNames[i] + "=" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }
}
