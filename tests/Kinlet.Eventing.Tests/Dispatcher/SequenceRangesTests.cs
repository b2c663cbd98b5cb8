using Kinlet.Eventing.Dispatcher;

namespace Kinlet.Eventing.Tests.Dispatcher;

public sealed class SequenceRangesTests
{
    [Fact]
    public void Adds_merge_into_ranges_and_the_cursor_moves_over_the_first()
    {
        var r = new SequenceRanges();
        foreach (var s in new long[] { 5, 3, 7, 4, 8, 12, 6, 6, 10 }) r.Add(s);
        Assert.Equal(new long[] { 3, 8, 10, 10, 12, 12 }, r.ToArray());
        Assert.Equal(8, r.Count);
        Assert.True(r.Contains(6));
        Assert.False(r.Contains(9));
        Assert.False(r.Contains(2));
        Assert.False(r.Contains(13));

        Assert.Equal(1, r.AdvanceFrom(1)); // 2 is not done: the cursor stays
        Assert.Equal(8, r.AdvanceFrom(2)); // 2 done (the caller's completion) and 3..8 follow it
        Assert.Equal(new long[] { 10, 10, 12, 12 }, r.ToArray());
        r.Add(11);
        Assert.Equal(new long[] { 10, 12 }, r.ToArray());
        Assert.Equal(3, r.Count);
    }

    [Fact]
    public void Many_out_of_order_completions_stay_a_few_ranges()
    {
        var r = new SequenceRanges();
        // 32 in flight (1..32) while 33..10,032 complete: one range.
        for (long s = 33; s <= 10_032; s++) r.Add(s);
        Assert.Equal(1, r.RangeCount);
        Assert.Equal(10_000, r.Count);
        var round = SequenceRanges.FromArray(r.ToArray());
        Assert.Equal(r.ToArray(), round.ToArray());
        Assert.Equal(10_000, round.Count);
    }

    [Theory]
    [InlineData(new long[] { 5, 3 })]
    [InlineData(new long[] { 1, 3, 3, 5 })]
    [InlineData(new long[] { 1, 3, 4, 5 })]
    public void Bad_checkpoint_ranges_are_refused(long[] flattened) =>
        Assert.Throws<FormatException>(() => SequenceRanges.FromArray(flattened));
}
