using Kinlet.Cli.Waiting;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Waiting;

public class ReadinessCheckTests
{
    private static Service Svc(long generation, long? observed, string? ready, string? reason = null, string? message = null,
        string? created = "echo-00002", string? readyRev = "echo-00001", string? configReady = null, string? routesReady = null)
    {
        var s = new Service { Metadata = new ObjectMeta { Name = "echo", Generation = generation } };
        if (observed is null && ready is null) return s;
        s.Status = new ServiceStatus { ObservedGeneration = observed, LatestCreatedRevisionName = created, LatestReadyRevisionName = readyRev };
        if (ready is not null) s.Status.Conditions.Add(new Condition { Type = "Ready", Status = ready, Reason = reason, Message = message });
        if (configReady is not null) s.Status.Conditions.Add(new Condition { Type = "ConfigurationsReady", Status = configReady });
        if (routesReady is not null) s.Status.Conditions.Add(new Condition { Type = "RoutesReady", Status = routesReady });
        return s;
    }

    [Fact]
    public void Without_status_it_waits_for_the_daemon_to_reconcile()
    {
        var r = ReadinessCheck.Evaluate(Svc(1, null, null), generation: 1);
        Assert.Equal(ReadinessState.Pending, r.State);
        Assert.Equal("waiting for service echo to be reconciled", r.Waiting);
    }

    [Fact]
    public void An_older_observed_generation_is_not_done_even_when_ready()
    {
        Assert.Equal(ReadinessState.Pending, ReadinessCheck.Evaluate(Svc(2, 1, "True"), generation: 2).State);
    }

    [Fact]
    public void An_old_failure_does_not_fail_the_new_generation()
    {
        Assert.Equal(ReadinessState.Pending, ReadinessCheck.Evaluate(Svc(3, 2, "False", "ExitCode1"), generation: 3).State);
    }

    [Fact]
    public void Ready_true_at_our_generation_is_done()
    {
        Assert.Equal(ReadinessState.Ready, ReadinessCheck.Evaluate(Svc(2, 2, "True"), generation: 2).State);
    }

    [Fact]
    public void Ready_false_at_our_generation_fails_with_reason_and_message()
    {
        var r = ReadinessCheck.Evaluate(Svc(2, 2, "False", "ExitCode3", "container exited with code 3"), generation: 2);
        Assert.Equal(ReadinessState.Failed, r.State);
        Assert.Equal("ExitCode3", r.Reason);
        Assert.Equal("container exited with code 3", r.Message);
    }

    [Fact]
    public void While_the_revision_starts_it_says_which_revision_it_waits_for()
    {
        var r = ReadinessCheck.Evaluate(Svc(2, 2, "Unknown", configReady: "Unknown"), generation: 2);
        Assert.Equal("waiting for revision echo-00002 to become ready", r.Waiting);
    }

    [Fact]
    public void A_short_pending_message_is_shown_beside_it()
    {
        var r = ReadinessCheck.Evaluate(Svc(2, 2, "Unknown", "Deploying", "pulling image nginx"), generation: 2);
        Assert.Equal("waiting for revision echo-00002 to become ready (pulling image nginx)", r.Waiting);
    }

    [Fact]
    public void Once_the_revision_is_ready_it_waits_for_the_route()
    {
        var r = ReadinessCheck.Evaluate(Svc(2, 2, "Unknown", created: "echo-00002", readyRev: "echo-00002", configReady: "True", routesReady: "Unknown"), generation: 2);
        Assert.Equal("waiting for traffic to reach revision echo-00002", r.Waiting);
    }

    [Fact]
    public void Without_a_generation_to_wait_for_it_uses_the_services_own()
    {
        Assert.Equal(ReadinessState.Pending, ReadinessCheck.Evaluate(Svc(2, 1, "True"), generation: null).State);
        Assert.Equal(ReadinessState.Ready, ReadinessCheck.Evaluate(Svc(2, 2, "True"), generation: null).State);
    }

    [Fact]
    public void The_not_ready_error_reads_reason_then_message()
    {
        var e = ServiceWaiter.NotReady("echo", new Readiness(ReadinessState.Failed, "failed", "ContainerMissing", "image nope:1 not found"));
        Assert.Equal(ExitCodes.NotReady, e.ExitCode);
        Assert.Equal("service echo is not ready: ContainerMissing: image nope:1 not found", e.Message);
    }
}
