namespace Kinlet.Eventing.Retention;

/// <summary>What to prune from one broker's log this round.</summary>
/// <param name="ThroughSequence">Prune events up to this sequence (0: none)...</param>
/// <param name="OnlyOlderThanCutoff">...only those older than the age cutoff (true), or regardless of age (the size cap).</param>
/// <param name="UndeliveredOverCap">How many events over the size cap are kept because a trigger has not finished with them.</param>
public readonly record struct RetentionDecision(long ThroughSequence, bool OnlyOlderThanCutoff, long UndeliveredOverCap);

/// <summary>
/// Which events a broker's log may drop: only those every trigger has finished with (at or below the lowest
/// cursor). Those go once older than the retention age; beyond the size cap the oldest go regardless of age.
/// Undelivered events are never pruned: over the cap they are reported instead. Pure.
/// </summary>
public static class RetentionPolicy
{
    /// <param name="first">Lowest sequence stored (0 when empty).</param>
    /// <param name="last">Highest sequence ever stored.</param>
    /// <param name="finishedThrough">The lowest trigger cursor (the last sequence when there are no triggers).</param>
    /// <param name="maxEvents">The size cap.</param>
    public static RetentionDecision Decide(long first, long last, long finishedThrough, long maxEvents)
    {
        if (first <= 0 || last < first) return default;
        var finished = Math.Min(finishedThrough, last);
        if (finished < first) return new RetentionDecision(0, true, Math.Max(0, last - first + 1 - maxEvents));
        var count = last - first + 1;
        if (count <= maxEvents) return new RetentionDecision(finished, true, 0);
        // Keep the newest maxEvents; of the ones before them, drop what is finished.
        var overCapThrough = last - maxEvents;
        return overCapThrough <= finished
            ? new RetentionDecision(overCapThrough, false, 0)
            : new RetentionDecision(finished, false, overCapThrough - finished);
    }
}
