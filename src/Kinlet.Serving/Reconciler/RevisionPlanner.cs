namespace Kinlet.Serving.Reconciler;

/// <summary>Where one instance is in the loop's eyes. Only the loop changes it.</summary>
public enum InstanceStage
{
    /// <summary>Being created, started, unpaused, or waiting for readiness.</summary>
    Starting,
    /// <summary>In the balancer (or out of it while its readiness probe fails).</summary>
    Ready,
    /// <summary>Asked to stop or freeze: draining, then its work reports back.</summary>
    Stopping,
    /// <summary>Crashed or failed liveness: out of the balancer, its container being removed.</summary>
    Ending,
}

/// <summary>One instance as the planner sees it.</summary>
public readonly record struct PlannedInstance(InstanceStage Stage, int InFlight);

/// <summary>Everything the planner decides from: one revision's state at one moment.</summary>
public sealed record PlanInput
{
    /// <summary>Instances the scale policy wants (0 when the revision is deleted).</summary>
    public int Desired { get; init; }

    public DateTimeOffset Now { get; init; }

    public IReadOnlyList<PlannedInstance> Instances { get; init; } = [];

    public bool Routed { get; init; }

    public bool Deleted { get; init; }

    /// <summary>The revision's annotation (or the daemon's default) asks for a frozen standby at zero.</summary>
    public bool StandbyRequested { get; init; }

    /// <summary>The daemon pre-creates a container at zero (<c>Kinlet:Serving:PrecreateAtZero</c>).</summary>
    public bool PrecreateAtZero { get; init; }

    public bool HasStandby { get; init; }

    public bool HasPrecreated { get; init; }

    public bool Precreating { get; init; }

    /// <summary>Crash-loop backoff: no start before this time.</summary>
    public DateTimeOffset RestartNotBefore { get; init; }
}

public enum PlanAction
{
    /// <summary>Create and start a new instance (<see cref="PlanStep.UsePrecreated"/>: start the pre-created container instead).</summary>
    Start,
    /// <summary>Unpause the frozen standby: the whole cold start.</summary>
    Thaw,
    /// <summary>Drain <see cref="PlanStep.Instance"/>, then stop and remove it (a start in progress is cancelled).</summary>
    Stop,
    /// <summary>Drain <see cref="PlanStep.Instance"/>, then pause it as the frozen standby.</summary>
    Freeze,
    RemoveStandby,
    RemovePrecreated,
    /// <summary>Create (not start) the container for the next cold start.</summary>
    Precreate,
}

/// <summary>One thing to do. <see cref="Instance"/> indexes <see cref="PlanInput.Instances"/> (-1 when none).</summary>
public readonly record struct PlanStep(PlanAction Action, int Instance = -1, bool UsePrecreated = false);

/// <summary>What to do now, when to look again (a backoff ending), and whether the revision can be forgotten.</summary>
public sealed record RevisionPlan(IReadOnlyList<PlanStep> Steps, DateTimeOffset? WakeAt, bool Forget)
{
    public static readonly RevisionPlan Nothing = new([], null, false);
}

/// <summary>
/// Decides what one revision needs: starts, stops, freeze, unpause, pre-create and their clean-up. Pure:
/// the same input gives the same plan; the reconciler carries it out. Frozen standby and pre-created
/// containers are ordinary steps here.
/// </summary>
public static class RevisionPlanner
{
    public static bool WantsStandby(PlanInput input) => !input.Deleted && input.Routed && input.StandbyRequested;

    public static bool WantsPrecreated(PlanInput input, bool hasStandby) =>
        input.PrecreateAtZero && !input.Deleted && input.Routed && !hasStandby && !WantsStandby(input);

    public static RevisionPlan Plan(PlanInput input)
    {
        var steps = new List<PlanStep>();
        var wantsStandby = WantsStandby(input);
        var hasStandby = input.HasStandby;
        var hasPrecreated = input.HasPrecreated;
        DateTimeOffset? wakeAt = null;

        // A frozen standby or pre-created container nobody wants any more (deleted, unrouted, annotation changed) goes.
        if (hasStandby && !wantsStandby)
        {
            steps.Add(new PlanStep(PlanAction.RemoveStandby));
            hasStandby = false;
        }
        if (hasPrecreated && !WantsPrecreated(input, hasStandby))
        {
            steps.Add(new PlanStep(PlanAction.RemovePrecreated));
            hasPrecreated = false;
        }

        var live = 0;
        foreach (var i in input.Instances)
            if (i.Stage is InstanceStage.Starting or InstanceStage.Ready) live++;
        var desired = input.Deleted ? 0 : input.Desired;

        if (live < desired)
        {
            if (input.Now >= input.RestartNotBefore)
            {
                // Waking from zero: the frozen standby first; unpausing it is the whole cold start.
                if (hasStandby)
                {
                    steps.Add(new PlanStep(PlanAction.Thaw));
                    hasStandby = false;
                    live++;
                }
                for (var n = live; n < desired; n++)
                {
                    steps.Add(new PlanStep(PlanAction.Start, UsePrecreated: hasPrecreated));
                    hasPrecreated = false;
                }
            }
            else
            {
                wakeAt = input.RestartNotBefore;
            }
        }
        else if (live > desired)
        {
            AddStops(input, live - desired, desired == 0 && !hasStandby && wantsStandby, steps);
        }

        // At zero with nothing left: create (not start) the next container, so the next cold start skips the create.
        if (desired == 0 && input.Instances.Count == 0 && !hasPrecreated && !input.Precreating && WantsPrecreated(input, hasStandby))
            steps.Add(new PlanStep(PlanAction.Precreate));

        var forget = input.Deleted && input.Instances.Count == 0;
        return steps.Count == 0 && wakeAt is null && !forget ? RevisionPlan.Nothing : new RevisionPlan(steps, wakeAt, forget);
    }

    /// <summary>
    /// The ones not serving yet go first, then the least busy. Going to zero with frozen standby wanted,
    /// the last ready victim is paused instead of removed.
    /// </summary>
    private static void AddStops(PlanInput input, int count, bool freezeOne, List<PlanStep> steps)
    {
        var candidates = new List<int>();
        for (var i = 0; i < input.Instances.Count; i++)
            if (input.Instances[i].Stage is InstanceStage.Starting or InstanceStage.Ready) candidates.Add(i);
        // Stable: equal keys keep start order, as the LINQ OrderBy it replaces did.
        var ordered = candidates
            .Select((index, position) => (index, position))
            .OrderBy(c => input.Instances[c.index].Stage == InstanceStage.Ready ? 1 : 0)
            .ThenBy(c => input.Instances[c.index].InFlight)
            .ThenBy(c => c.position)
            .Take(count)
            .Select(c => c.index)
            .ToList();
        var freeze = -1;
        if (freezeOne)
            for (var k = ordered.Count - 1; k >= 0; k--)
                if (input.Instances[ordered[k]].Stage == InstanceStage.Ready)
                {
                    freeze = ordered[k];
                    break;
                }
        foreach (var victim in ordered)
            steps.Add(new PlanStep(victim == freeze ? PlanAction.Freeze : PlanAction.Stop, victim));
    }
}
