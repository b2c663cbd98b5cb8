using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// What the reconcile loop keeps about one revision. Only the loop reads or writes it: no locks, no
/// volatile fields. Readers elsewhere see what the loop publishes (<see cref="RevisionState.View"/>).
/// </summary>
internal sealed class RevisionBook(RevisionState revision)
{
    public RevisionState Revision { get; } = revision;

    /// <summary>Every instance the loop tracks, in start order; an ended one stays until its work reports back.</summary>
    public List<InstanceRecord> Instances { get; } = [];

    /// <summary>The paused instance kept at zero, if any; never in the balancer.</summary>
    public FrozenStandby? Standby { get; set; }

    /// <summary>A container created (not started) at zero, for the next cold start.</summary>
    public PrecreatedContainer? Precreated { get; set; }

    public bool Precreating { get; set; }

    /// <summary>Not before this time does the loop start another instance (crash-loop backoff).</summary>
    public DateTimeOffset RestartNotBefore { get; set; }

    public int ConsecutiveFailures { get; set; }

    public int Restarts { get; set; }

    public int Desired { get; set; }

    /// <summary>How long the init containers of the last instance that became ready took.</summary>
    public double? LastInitMs { get; set; }

    /// <summary>The backoff wake-up already scheduled, so one is not added per pass.</summary>
    public DateTimeOffset? WakeScheduled { get; set; }

    public InstanceRecord? Find(InstanceState instance)
    {
        foreach (var r in Instances) if (ReferenceEquals(r.Instance, instance)) return r;
        return null;
    }

    public void Remove(InstanceRecord record) => Instances.Remove(record);

    /// <summary>Backs off restarts exponentially from the options' initial delay up to their maximum.</summary>
    public TimeSpan BackOff(DateTimeOffset now, TimeSpan initial, TimeSpan max)
    {
        ConsecutiveFailures++;
        var exp = Math.Min(ConsecutiveFailures - 1, 16);
        var backoff = TimeSpan.FromTicks(Math.Min(initial.Ticks << exp, max.Ticks));
        RestartNotBefore = now + backoff;
        return backoff;
    }

    public RevisionView View(Autoscaler.ScaleDecision? decision)
    {
        var starting = 0;
        var instances = new InstanceState[Instances.Count];
        for (var i = 0; i < instances.Length; i++)
        {
            instances[i] = Instances[i].Instance;
            if (Instances[i].Stage == InstanceStage.Starting) starting++;
        }
        return new RevisionView(Desired, starting, Restarts, Standby is not null, instances, decision) { LastInitMs = LastInitMs };
    }
}

/// <summary>One instance as the loop tracks it; <see cref="Instance"/> is what the data plane sees.</summary>
internal sealed class InstanceRecord(InstanceState instance, InstanceOrigin origin)
{
    public InstanceState Instance { get; } = instance;

    public InstanceOrigin Origin { get; } = origin;

    public InstanceStage Stage { get; set; } = InstanceStage.Starting;

    public string? ContainerId { get; set; }

    /// <summary>The instance's sidecars (their exits are the instance's; they stop, pause and go with it).</summary>
    public IReadOnlyList<SidecarContainer> Sidecars { get; set; } = [];

    /// <summary>The sidecar's name when <paramref name="containerId"/> is one of this instance's sidecars.</summary>
    public string? SidecarName(string containerId)
    {
        foreach (var s in Sidecars) if (s.Id == containerId) return s.Name;
        return null;
    }

    /// <summary>"stopped" goes to the service's log once its container is removed.</summary>
    public bool SayStopped { get; set; }
}

internal enum InstanceOrigin
{
    Started,
    Thawed,
    Adopted,
}
