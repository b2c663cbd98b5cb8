using Kinlet.Serving.Reconciler;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Serving.Tests.Reconciler;

/// <summary>The planner is pure: each case is an input at a fake clock's time and the plan it must give.</summary>
public sealed class RevisionPlannerTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    private static PlannedInstance Starting(int inFlight = 0) => new(InstanceStage.Starting, inFlight);
    private static PlannedInstance Ready(int inFlight = 0) => new(InstanceStage.Ready, inFlight);
    private static PlannedInstance Stopping(int inFlight = 0) => new(InstanceStage.Stopping, inFlight);
    private static PlannedInstance Ending() => new(InstanceStage.Ending, 0);

    private static PlanInput Input(int desired, params PlannedInstance[] instances) => new()
    {
        Desired = desired,
        Now = Clock.GetUtcNow(),
        Instances = instances,
        Routed = true,
    };

    private static PlanAction[] Actions(RevisionPlan plan) => [.. plan.Steps.Select(s => s.Action)];

    [Fact]
    public void Nothing_to_do_when_running_matches_desired()
    {
        var plan = RevisionPlanner.Plan(Input(2, Ready(), Ready()));
        Assert.Same(RevisionPlan.Nothing, plan);
    }

    [Fact]
    public void At_zero_with_nothing_running_nothing_happens()
    {
        Assert.Same(RevisionPlan.Nothing, RevisionPlanner.Plan(Input(0)));
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(3, 0, 3)]
    [InlineData(3, 1, 2)]
    [InlineData(5, 2, 3)]
    public void Scale_up_starts_the_missing_instances(int desired, int ready, int starts)
    {
        var plan = RevisionPlanner.Plan(Input(desired, [.. Enumerable.Repeat(Ready(), ready)]));
        Assert.Equal(Enumerable.Repeat(PlanAction.Start, starts), Actions(plan));
        Assert.All(plan.Steps, s => Assert.False(s.UsePrecreated));
    }

    [Fact]
    public void Starting_instances_count_as_running_so_demand_is_not_started_twice()
    {
        Assert.Same(RevisionPlan.Nothing, RevisionPlanner.Plan(Input(2, Ready(), Starting())));
    }

    [Fact]
    public void Stopping_and_ending_instances_do_not_count()
    {
        var plan = RevisionPlanner.Plan(Input(2, Ready(), Stopping(), Ending()));
        Assert.Equal([PlanAction.Start], Actions(plan));
    }

    [Fact]
    public void Scale_down_stops_the_starting_ones_first_then_the_least_busy()
    {
        var plan = RevisionPlanner.Plan(Input(1, Ready(5), Ready(1), Starting(), Ready(3)));
        Assert.Equal([PlanAction.Stop, PlanAction.Stop, PlanAction.Stop], Actions(plan));
        Assert.Equal([2, 1, 3], plan.Steps.Select(s => s.Instance));
    }

    [Fact]
    public void Equally_busy_instances_stop_in_start_order()
    {
        var plan = RevisionPlanner.Plan(Input(1, Ready(2), Ready(2), Ready(2)));
        Assert.Equal([0, 1], plan.Steps.Select(s => s.Instance));
    }

    [Fact]
    public void Scale_to_zero_stops_every_instance()
    {
        var plan = RevisionPlanner.Plan(Input(0, Ready(), Ready(), Starting()));
        Assert.Equal(3, plan.Steps.Count(s => s.Action == PlanAction.Stop));
        Assert.False(plan.Forget);
    }

    [Fact]
    public void Stops_never_touch_instances_already_stopping()
    {
        var plan = RevisionPlanner.Plan(Input(0, Stopping(3), Ready(0)));
        Assert.Equal([new PlanStep(PlanAction.Stop, 1)], plan.Steps);
    }

    [Fact]
    public void At_zero_with_standby_wanted_the_last_ready_victim_is_frozen()
    {
        var plan = RevisionPlanner.Plan(Input(0, Ready(0), Ready(4), Starting()) with { StandbyRequested = true });
        Assert.Equal([new PlanStep(PlanAction.Stop, 2), new PlanStep(PlanAction.Stop, 0), new PlanStep(PlanAction.Freeze, 1)], plan.Steps);
    }

    [Fact]
    public void With_a_standby_already_kept_nothing_more_is_frozen()
    {
        var plan = RevisionPlanner.Plan(Input(0, Ready()) with { StandbyRequested = true, HasStandby = true });
        Assert.Equal([new PlanStep(PlanAction.Stop, 0)], plan.Steps);
    }

    [Fact]
    public void Scaling_down_but_not_to_zero_never_freezes()
    {
        var plan = RevisionPlanner.Plan(Input(1, Ready(), Ready()) with { StandbyRequested = true });
        Assert.Equal([PlanAction.Stop], Actions(plan));
    }

    [Fact]
    public void Only_starting_instances_at_zero_are_stopped_not_frozen()
    {
        var plan = RevisionPlanner.Plan(Input(0, Starting()) with { StandbyRequested = true });
        Assert.Equal([PlanAction.Stop], Actions(plan));
    }

    [Fact]
    public void Waking_from_zero_thaws_the_standby_first()
    {
        var plan = RevisionPlanner.Plan(Input(1) with { StandbyRequested = true, HasStandby = true });
        Assert.Equal([PlanAction.Thaw], Actions(plan));
    }

    [Fact]
    public void Waking_to_three_thaws_one_and_starts_two()
    {
        var plan = RevisionPlanner.Plan(Input(3) with { StandbyRequested = true, HasStandby = true });
        Assert.Equal([PlanAction.Thaw, PlanAction.Start, PlanAction.Start], Actions(plan));
    }

    [Theory]
    [InlineData(false, false)] // annotation removed
    [InlineData(true, true)] // revision deleted
    public void An_unwanted_standby_is_removed(bool requested, bool deleted)
    {
        var plan = RevisionPlanner.Plan(Input(0) with { StandbyRequested = requested, Deleted = deleted, HasStandby = true });
        Assert.Contains(PlanAction.RemoveStandby, Actions(plan));
    }

    [Fact]
    public void An_unrouted_revision_drops_its_standby_and_a_demand_then_starts_fresh()
    {
        var plan = RevisionPlanner.Plan(Input(1) with { StandbyRequested = true, HasStandby = true, Routed = false });
        Assert.Equal([PlanAction.RemoveStandby, PlanAction.Start], Actions(plan));
    }

    [Fact]
    public void At_zero_with_precreate_on_a_container_is_created_for_the_next_cold_start()
    {
        var plan = RevisionPlanner.Plan(Input(0) with { PrecreateAtZero = true });
        Assert.Equal([PlanAction.Precreate], Actions(plan));
    }

    [Theory]
    [InlineData(true, false, false, false)] // one is being created
    [InlineData(false, true, false, false)] // one is there
    [InlineData(false, false, true, false)] // standby wanted instead
    [InlineData(false, false, false, true)] // not routed
    public void Precreate_only_when_nothing_covers_the_next_cold_start(bool precreating, bool hasPrecreated, bool standby, bool unrouted)
    {
        var plan = RevisionPlanner.Plan(Input(0) with
        {
            PrecreateAtZero = true, Precreating = precreating, HasPrecreated = hasPrecreated, StandbyRequested = standby, Routed = !unrouted,
        });
        Assert.DoesNotContain(PlanAction.Precreate, Actions(plan));
    }

    [Fact]
    public void No_precreate_while_instances_are_still_draining()
    {
        var plan = RevisionPlanner.Plan(Input(0, Stopping()) with { PrecreateAtZero = true });
        Assert.Same(RevisionPlan.Nothing, plan);
    }

    [Fact]
    public void The_next_start_uses_the_precreated_container_and_only_the_first_does()
    {
        var plan = RevisionPlanner.Plan(Input(2) with { PrecreateAtZero = true, HasPrecreated = true });
        Assert.Equal([new PlanStep(PlanAction.Start, UsePrecreated: true), new PlanStep(PlanAction.Start)], plan.Steps);
    }

    [Theory]
    [InlineData(false, true)] // unrouted
    [InlineData(true, false)] // deleted
    public void A_precreated_container_nobody_will_start_is_removed(bool deleted, bool unrouted)
    {
        var plan = RevisionPlanner.Plan(Input(0) with { PrecreateAtZero = true, HasPrecreated = true, Deleted = deleted, Routed = !unrouted });
        Assert.Equal(PlanAction.RemovePrecreated, plan.Steps[0].Action);
    }

    [Fact]
    public void A_precreated_container_goes_when_the_revision_keeps_a_standby()
    {
        var plan = RevisionPlanner.Plan(Input(0) with { PrecreateAtZero = true, HasPrecreated = true, StandbyRequested = true, HasStandby = true });
        Assert.Equal([PlanAction.RemovePrecreated], Actions(plan));
    }

    [Fact]
    public void Crash_backoff_holds_the_start_and_says_when_to_look_again()
    {
        var until = Clock.GetUtcNow().AddSeconds(4);
        var plan = RevisionPlanner.Plan(Input(1, Ending()) with { RestartNotBefore = until });
        Assert.Empty(plan.Steps);
        Assert.Equal(until, plan.WakeAt);
    }

    [Fact]
    public void When_the_backoff_ends_the_replacement_starts()
    {
        var until = Clock.GetUtcNow().AddSeconds(4);
        var later = Clock.GetUtcNow().AddSeconds(4);
        var plan = RevisionPlanner.Plan(Input(1) with { RestartNotBefore = until, Now = later });
        Assert.Equal([PlanAction.Start], Actions(plan));
        Assert.Null(plan.WakeAt);
    }

    [Fact]
    public void Backoff_does_not_hold_a_scale_down()
    {
        var plan = RevisionPlanner.Plan(Input(0, Ready()) with { RestartNotBefore = Clock.GetUtcNow().AddMinutes(1) });
        Assert.Equal([PlanAction.Stop], Actions(plan));
        Assert.Null(plan.WakeAt);
    }

    [Fact]
    public void Liveness_replacement_the_failed_instance_is_ending_and_a_new_one_starts()
    {
        var plan = RevisionPlanner.Plan(Input(2, Ready(), Ending()));
        Assert.Equal([PlanAction.Start], Actions(plan));
    }

    [Fact]
    public void A_deleted_revision_stops_everything_whatever_the_desired_scale()
    {
        var plan = RevisionPlanner.Plan(Input(3, Ready(), Starting()) with { Deleted = true });
        Assert.Equal([PlanAction.Stop, PlanAction.Stop], Actions(plan));
        Assert.False(plan.Forget);
    }

    [Fact]
    public void A_deleted_revision_is_forgotten_once_nothing_of_it_runs()
    {
        Assert.True(RevisionPlanner.Plan(Input(0) with { Deleted = true }).Forget);
        Assert.False(RevisionPlanner.Plan(Input(0, Stopping()) with { Deleted = true }).Forget);
        Assert.False(RevisionPlanner.Plan(Input(0, Ending()) with { Deleted = true }).Forget);
    }

    [Fact]
    public void A_deleted_revision_with_a_standby_removes_it_and_is_forgotten()
    {
        var plan = RevisionPlanner.Plan(Input(0) with { Deleted = true, StandbyRequested = true, HasStandby = true });
        Assert.Equal([PlanAction.RemoveStandby], Actions(plan));
        Assert.True(plan.Forget);
    }

    [Fact]
    public void A_new_revision_starts_while_the_old_one_drains()
    {
        // The old revision (unrouted, at zero) keeps draining: nothing more to do for it.
        Assert.Same(RevisionPlan.Nothing, RevisionPlanner.Plan(Input(0, Stopping(2)) with { Routed = false }));
        // The new one (routed, latest) starts at once, independent of the old one's drain.
        Assert.Equal([PlanAction.Start], Actions(RevisionPlanner.Plan(Input(1))));
    }

    [Fact]
    public void After_a_daemon_restart_adopted_instances_count_and_extras_are_stopped()
    {
        Assert.Same(RevisionPlan.Nothing, RevisionPlanner.Plan(Input(2, Ready(), Ready())));
        var plan = RevisionPlanner.Plan(Input(1, Ready(0), Ready(0), Ready(0)));
        Assert.Equal([new PlanStep(PlanAction.Stop, 0), new PlanStep(PlanAction.Stop, 1)], plan.Steps);
    }

    [Fact]
    public void After_a_daemon_restart_an_adopted_standby_is_kept_at_zero_and_woken_on_demand()
    {
        Assert.Same(RevisionPlan.Nothing, RevisionPlanner.Plan(Input(0) with { StandbyRequested = true, HasStandby = true }));
        Assert.Equal([PlanAction.Thaw], Actions(RevisionPlanner.Plan(Input(1) with { StandbyRequested = true, HasStandby = true })));
    }

    [Fact]
    public void The_same_input_gives_the_same_plan()
    {
        var input = Input(0, Ready(1), Ready(0), Starting()) with { StandbyRequested = true, PrecreateAtZero = true };
        Assert.Equal(RevisionPlanner.Plan(input).Steps, RevisionPlanner.Plan(input).Steps);
    }

    [Fact]
    public void Wants_helpers_follow_the_routing_and_deletion()
    {
        var input = Input(0) with { StandbyRequested = true };
        Assert.True(RevisionPlanner.WantsStandby(input));
        Assert.False(RevisionPlanner.WantsStandby(input with { Routed = false }));
        Assert.False(RevisionPlanner.WantsStandby(input with { Deleted = true }));
        var pre = Input(0) with { PrecreateAtZero = true };
        Assert.True(RevisionPlanner.WantsPrecreated(pre, hasStandby: false));
        Assert.False(RevisionPlanner.WantsPrecreated(pre, hasStandby: true));
        Assert.False(RevisionPlanner.WantsPrecreated(pre with { PrecreateAtZero = false }, hasStandby: false));
    }
}
