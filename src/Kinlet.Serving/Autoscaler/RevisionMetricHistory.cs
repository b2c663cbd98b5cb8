namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// One revision's per-second samples (average concurrency and requests per second), kept for the
/// longest window asked for. Averages cover only the part of a window that has data; a window with
/// no data averages 0 (Knative's windowed average). Bounded: at most one hour of seconds.
/// </summary>
/// <remarks>
/// The sampler writes from the autoscaler loop while a decision for a waiting request may read from a
/// request thread, so both take a small lock; nothing inside it awaits or allocates per sample beyond the queue.
/// </remarks>
public sealed class RevisionMetricHistory
{
    /// <summary>One hour of one-second samples: Knative's longest stable window.</summary>
    public const int MaxSamples = 3600;

    private static readonly TimeSpan MinKeep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxKeep = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly Queue<Sample> _samples = new();
    private TimeSpan _keep;

    /// <param name="keep">The longest window that will be asked for (the stable window); a longer request widens it, up to an hour.</param>
    public RevisionMetricHistory(TimeSpan keep) => _keep = Clamp(keep);

    private readonly record struct Sample(DateTimeOffset At, double Concurrency, double Rps);

    public int Count
    {
        get { lock (_gate) return _samples.Count; }
    }

    public void Record(DateTimeOffset at, double concurrency, double rps)
    {
        lock (_gate)
        {
            _samples.Enqueue(new Sample(at, concurrency, rps));
            var horizon = at - _keep;
            while (_samples.Count > MaxSamples || _samples.Peek().At <= horizon) _samples.Dequeue();
        }
    }

    /// <summary>
    /// Mean of the samples taken in (now − window, now]; 0 when there are none. Samples are one per second, so
    /// the mean is the average over the seconds of the window that have data.
    /// </summary>
    public double Average(ScalingMetric metric, TimeSpan window, DateTimeOffset now)
    {
        lock (_gate)
        {
            // A revision whose window grew (settings updated) keeps enough from now on.
            if (window > _keep) _keep = Clamp(window);
            var from = now - window;
            double sum = 0;
            var n = 0;
            foreach (var s in _samples)
            {
                if (s.At <= from || s.At > now) continue;
                sum += metric == ScalingMetric.Rps ? s.Rps : s.Concurrency;
                n++;
            }
            return n == 0 ? 0 : sum / n;
        }
    }

    private static TimeSpan Clamp(TimeSpan keep) => keep < MinKeep ? MinKeep : keep > MaxKeep ? MaxKeep : keep;
}
