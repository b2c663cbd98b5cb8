namespace Kinlet.Eventing.Dispatcher;

/// <summary>
/// The sequences a trigger finished above its cursor, as disjoint sorted ranges. Out-of-order completions are
/// runs separated by the few events still in flight, so there are about as many ranges as deliveries in flight
/// however far reading has run ahead: the checkpoint written after every commit stays a few numbers long.
/// Not thread-safe (the dispatcher holds its lock).
/// </summary>
public sealed class SequenceRanges
{
    private readonly List<(long Start, long End)> _ranges = [];

    public int RangeCount => _ranges.Count;

    /// <summary>How many sequences the ranges hold.</summary>
    public long Count { get; private set; }

    public bool Contains(long sequence)
    {
        foreach (var (start, end) in _ranges)
        {
            if (sequence < start) return false;
            if (sequence <= end) return true;
        }
        return false;
    }

    public void Add(long sequence)
    {
        var i = 0;
        while (i < _ranges.Count && _ranges[i].End < sequence - 1) i++;
        if (i == _ranges.Count)
        {
            _ranges.Add((sequence, sequence));
        }
        else
        {
            var (start, end) = _ranges[i];
            if (sequence >= start && sequence <= end) return;
            if (sequence == end + 1)
            {
                end = sequence;
                // Bridged the gap to the next range: merge.
                if (i + 1 < _ranges.Count && _ranges[i + 1].Start == sequence + 1)
                {
                    end = _ranges[i + 1].End;
                    _ranges.RemoveAt(i + 1);
                }
                _ranges[i] = (start, end);
            }
            else if (sequence == start - 1) _ranges[i] = (sequence, end);
            else _ranges.Insert(i, (sequence, sequence));
        }
        Count++;
    }

    /// <summary>When the first range starts right after <paramref name="cursor"/>, removes it and returns its end (the new cursor); else the cursor.</summary>
    public long AdvanceFrom(long cursor)
    {
        if (_ranges.Count == 0 || _ranges[0].Start != cursor + 1) return cursor;
        var (start, end) = _ranges[0];
        _ranges.RemoveAt(0);
        Count -= end - start + 1;
        return end;
    }

    /// <summary>Flattened as start, end, start, end… (what the checkpoint stores).</summary>
    public long[] ToArray()
    {
        var a = new long[_ranges.Count * 2];
        for (var i = 0; i < _ranges.Count; i++)
        {
            a[2 * i] = _ranges[i].Start;
            a[2 * i + 1] = _ranges[i].End;
        }
        return a;
    }

    public static SequenceRanges FromArray(long[] flattened)
    {
        var r = new SequenceRanges();
        for (var i = 0; i + 1 < flattened.Length; i += 2)
        {
            var (start, end) = (flattened[i], flattened[i + 1]);
            if (end < start || (r._ranges.Count > 0 && start <= r._ranges[^1].End + 1))
                throw new FormatException("checkpoint ranges must be sorted, disjoint and not adjacent");
            r._ranges.Add((start, end));
            r.Count += end - start + 1;
        }
        return r;
    }
}
