using Kinlet.Serving.RevisionGc;

namespace Kinlet.Serving.Tests.RevisionGc;

public sealed class RevisionGcPolicyTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-06-01T00:00:00Z");

    private static GcCandidate Old(int n, bool routed = false, bool latest = false, bool noGc = false, DateTimeOffset? lastActive = null) =>
        new($"svc-{n:00000}", Now.AddDays(-10).AddMinutes(n), lastActive, routed, latest, noGc);

    private static RevisionGcOptions Options(int min = 2, int max = 1000) => new() { MinNonActiveRevisions = min, MaxNonActiveRevisions = max };

    [Fact]
    public void Keeps_the_newest_non_active_revisions_up_to_the_minimum_and_deletes_stale_older_ones()
    {
        var revisions = Enumerable.Range(1, 5).Select(n => Old(n)).Append(Old(6, latest: true, routed: true));
        var deleted = RevisionGcPolicy.Select(revisions, Now, Options(min: 2));
        Assert.Equal(["svc-00003", "svc-00002", "svc-00001"], deleted);
    }

    [Fact]
    public void Never_collects_routed_latest_or_no_gc_revisions_and_they_do_not_count()
    {
        var revisions = new[] { Old(1, routed: true), Old(2, latest: true), Old(3, noGc: true), Old(4), Old(5) };
        Assert.Empty(RevisionGcPolicy.Select(revisions, Now, Options(min: 2)));
        Assert.Equal(["svc-00004"], RevisionGcPolicy.Select(revisions, Now, Options(min: 1)));
    }

    [Fact]
    public void Recently_created_or_recently_active_revisions_stay()
    {
        var revisions = new[]
        {
            new GcCandidate("svc-00001", Now.AddHours(-47), null, false, false, false),            // created within 48 h
            new GcCandidate("svc-00002", Now.AddDays(-9), Now.AddHours(-14), false, false, false), // active within 15 h
            new GcCandidate("svc-00003", Now.AddDays(-9), Now.AddHours(-16), false, false, false), // stale
        };
        Assert.Equal(["svc-00003"], RevisionGcPolicy.Select(revisions, Now, Options(min: 0)));
    }

    [Fact]
    public void Beyond_the_maximum_even_recent_revisions_go_oldest_first()
    {
        var revisions = Enumerable.Range(1, 6).Select(n => new GcCandidate($"svc-{n:00000}", Now.AddMinutes(-60 + n), null, false, false, false));
        Assert.Equal(["svc-00002", "svc-00001"], RevisionGcPolicy.Select(revisions, Now, Options(min: 2, max: 4)));
    }

    [Fact]
    public void Ordering_is_by_last_activity_so_a_long_routed_old_revision_outlives_newer_unused_ones()
    {
        var revisions = new[]
        {
            new GcCandidate("svc-00001", Now.AddDays(-30), Now.AddDays(-3), false, false, false),
            new GcCandidate("svc-00002", Now.AddDays(-20), null, false, false, false),
            new GcCandidate("svc-00003", Now.AddDays(-19), null, false, false, false),
        };
        Assert.Equal(["svc-00002"], RevisionGcPolicy.Select(revisions, Now, Options(min: 2)));
    }

    [Fact]
    public void Max_zero_means_no_limit()
    {
        var revisions = Enumerable.Range(1, 30).Select(n => new GcCandidate($"svc-{n:00000}", Now.AddMinutes(-n), null, false, false, false));
        Assert.Empty(RevisionGcPolicy.Select(revisions, Now, Options(min: 1, max: 0)));
    }
}
