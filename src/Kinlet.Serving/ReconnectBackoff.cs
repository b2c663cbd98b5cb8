namespace Kinlet.Serving;

/// <summary>
/// The wait between attempts to reach the engine again (its event stream, its first answer at start-up):
/// doubling from <c>first</c> up to 10 s, back to <c>first</c> once the engine answers.
/// </summary>
internal sealed class ReconnectBackoff(TimeProvider time, TimeSpan first)
{
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);
    private readonly TimeSpan _first = first;
    private TimeSpan _delay = first;

    public ReconnectBackoff(TimeProvider time) : this(time, TimeSpan.FromMilliseconds(500))
    {
    }

    public void Reset() => _delay = _first;

    /// <summary>Waits the current delay and doubles it; false when cancelled meanwhile.</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_delay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, Max.Ticks));
        return true;
    }
}
