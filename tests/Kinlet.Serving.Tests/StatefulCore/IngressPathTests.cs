using System.Net;
using Kinlet.Core.Model;
using Kinlet.Serving.Tests.Fakes;

namespace Kinlet.Serving.Tests.StatefulCore;

/// <summary>
/// Ingress → activator → balancer → a real HTTP backend, through the daemon's DI wiring, with the fake engine.
/// Asserts what a client and the engine see (answers, engine calls, the ready set), never the reconciler's insides.
/// </summary>
public sealed class IngressPathTests
{
    // The daemon's default initial scale is 0 here (the controller does not take initial-scale 0 from an annotation).
    private static Service AtZero(string name, Action<Service>? configure = null) => ServingCore.NewService(name, configure: configure);

    private static Task<ServingCore> StartCoreAsync(FakeContainerRuntime? runtime = null) =>
        ServingCore.StartAsync(o =>
        {
            o.Runtime = runtime;
            o.Autoscaler = a =>
            {
                a.AllowZeroInitialScale = true;
                a.InitialScale = 0;
            };
        });

    [Fact]
    public async Task A_request_at_zero_is_held_until_an_instance_is_ready_then_answered_by_it()
    {
        var runtime = new FakeContainerRuntime { NewContainersAnswer = false };
        await using var core = await StartCoreAsync(runtime);
        core.Create(AtZero("hello"));
        Assert.Equal(0, runtime.Creates);

        var response = core.GetAsync("hello", "/greet");
        // The request is the demand: an instance is started for it, and the request waits while it is not ready.
        await ServingCore.WaitForAsync(() => runtime.Running.Count == 1, "the activator's cold start");
        var container = runtime.Running.Single();
        Assert.False(response.IsCompleted);
        Assert.Equal(0, core.Revision("hello-00001")!.ReadyCount);

        runtime.SetAnswering(container.Id, true);
        using var answer = await response.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("hello from " + container.Name, await answer.Content.ReadAsStringAsync());
        Assert.Equal(1, container.Requests);
        Assert.Equal(1, core.Revision("hello-00001")!.ReadyCount);
    }

    [Fact]
    public async Task A_host_in_the_domain_that_names_no_service_is_a_404_from_the_ingress()
    {
        await using var core = await StartCoreAsync();
        using var response = await core.GetAsync("nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no service for host nope.default." + ServingCore.Domain, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, core.Runtime.Creates);
    }

    [Fact]
    public async Task A_backend_slower_than_timeoutSeconds_gets_a_504_naming_the_limit()
    {
        var runtime = new FakeContainerRuntime();
        runtime.Handler = async (_, context) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        };
        await using var core = await StartCoreAsync(runtime);
        core.Create(AtZero("slow", s => s.Spec.Template.Spec.TimeoutSeconds = 1));

        using var response = await core.GetAsync("slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("timeoutSeconds", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deleting_the_service_answers_the_requests_waiting_for_its_revision()
    {
        var runtime = new FakeContainerRuntime { NewContainersAnswer = false };
        await using var core = await StartCoreAsync(runtime);
        core.Create(AtZero("doomed"));

        var waiting = Enumerable.Range(0, 3).Select(_ => core.GetAsync("doomed")).ToList();
        await ServingCore.WaitForAsync(() => core.Revision("doomed-00001")!.Waiting == 3, "three requests queued in the activator");

        await core.Controller.DeleteAsync("default", "doomed", TimeSpan.FromSeconds(20), CancellationToken.None);

        var answers = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.StatusCode));
        await ServingCore.WaitForAsync(() => runtime.Containers.Count == 0, "the revision's container removed");
        foreach (var a in answers) a.Dispose();
    }
}
