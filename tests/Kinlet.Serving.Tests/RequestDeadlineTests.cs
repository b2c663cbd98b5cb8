using System.Diagnostics;
using Kinlet.Core.Model;
using Kinlet.Serving.Forwarding;
using Kinlet.Serving.LoadBalancing;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Tests;

/// <summary>The pool is process-wide: these tests run alone, so no request of a parallel test takes the deadline they watch.</summary>
[CollectionDefinition(nameof(RequestDeadlinePool), DisableParallelization = true)]
public sealed class RequestDeadlinePool;

[Collection(nameof(RequestDeadlinePool))]
public sealed class RequestDeadlineTests
{
    private static RevisionState Revision(long timeoutSeconds, long? responseStartSeconds = null) =>
        new(new RevisionKey("default", "svc-00001"), new Revision
        {
            Metadata = new ObjectMeta { Name = "svc-00001", Namespace = "default", Labels = new() { [KnownKeys.ServiceLabel] = "svc" } },
            Spec = new RevisionSpec
            {
                TimeoutSeconds = timeoutSeconds,
                ResponseStartTimeoutSeconds = responseStartSeconds,
                Containers = [new Container { Image = "x" }],
            },
        }, LoadBalancingPolicies.For(0));

    /// <summary>Rents until the pool hands back <paramref name="wanted"/> (the pool is shared, so others may sit ahead of it).</summary>
    private static RequestDeadline RentUntil(RequestDeadline wanted, RevisionState revision)
    {
        var rented = new List<RequestDeadline>();
        try
        {
            for (var i = 0; i < 2048; i++)
            {
                var d = RequestDeadline.Rent(revision, Stopwatch.GetTimestamp());
                if (ReferenceEquals(d, wanted)) return d;
                rented.Add(d);
            }
            throw new Xunit.Sdk.XunitException("the returned deadline never came back from the pool");
        }
        finally
        {
            foreach (var d in rented) d.Return();
        }
    }

    [Fact]
    public void A_returned_deadline_serves_the_next_request_reset()
    {
        var first = RequestDeadline.Rent(Revision(300, 10), Stopwatch.GetTimestamp());
        first.ResponseStarting();
        Assert.True(first.ResponseStarted);
        first.Return();

        var next = RentUntil(first, Revision(60));
        Assert.False(next.IsCancellationRequested);
        Assert.False(next.ResponseStarted);
        Assert.Equal(TimeSpan.FromSeconds(60), next.Total);
        Assert.Equal(TimeSpan.FromSeconds(60), next.ResponseStartLimit);
        next.Return();
    }

    [Fact]
    public void A_fired_deadline_is_disposed_not_reused()
    {
        var deadline = RequestDeadline.Rent(Revision(300), Stopwatch.GetTimestamp());
        deadline.Cancel();
        deadline.Return();
        Assert.Throws<ObjectDisposedException>(() => deadline.Token);
    }

    [Fact]
    public void Registrations_of_the_previous_request_are_not_called_after_reuse()
    {
        var deadline = RequestDeadline.Rent(Revision(300), Stopwatch.GetTimestamp());
        var stale = 0;
        deadline.Token.Register(() => Interlocked.Increment(ref stale));
        deadline.Return();

        var next = RentUntil(deadline, Revision(300));
        var fresh = 0;
        next.Token.Register(() => Interlocked.Increment(ref fresh));
        next.Cancel();
        Assert.Equal(0, stale);
        Assert.Equal(1, fresh);
        next.Return();
    }

    [Fact]
    public async Task A_reused_deadline_fires_at_its_new_revisions_timeout()
    {
        var deadline = RequestDeadline.Rent(Revision(300), Stopwatch.GetTimestamp());
        deadline.Return();

        var next = RentUntil(deadline, Revision(1));
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (next.Token.Register(() => fired.TrySetResult()))
            await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(next.IsCancellationRequested);
        next.Return();
    }
}
