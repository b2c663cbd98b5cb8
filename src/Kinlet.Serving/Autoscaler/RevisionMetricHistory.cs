namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// One revision's per-second samples (average concurrency and requests per second), kept for the
/// longest window asked for. Averages cover only the part of a window that has data; a window with
/// no data averages 0 (Knative's windowed average). Bounded: at most one hour of seconds.
/// </summary>
public sealed class RevisionMetricHistory
{
    private const int MaxSamples = 3600;
    private readonly Lock _gate = new();
    private readonly Queue<Sample> _samples = new();
    private TimeSpan _keep;

    /// <param name="keep">The longest window that will be asked for (the stable window); longer requests widen it.</param>
    public RevisionMetricHistory(TimeSpan keep) => _keep = keep;

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
            while (_samples.Count > MaxSamples || (_samples.Count > 0 && _samples.Peek().At <= at - _keep)) _samples.Dequeue();
        }
    }

    /// <summary>Mean of the samples taken in (now − window, now]; 0 when there are none.</summary>
    public double Average(ScalingMetric metric, TimeSpan window, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (window > _keep) _keep = window;
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
}
