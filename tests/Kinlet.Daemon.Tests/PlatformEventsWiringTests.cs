using Kinlet.Core.Events;
using Kinlet.Eventing;
using Kinlet.Eventing.Sources;
using Kinlet.Serving;
using Kinlet.Serving.Logs;
using Microsoft.Extensions.DependencyInjection;

namespace Kinlet.Daemon.Tests;

/// <summary>One <see cref="IPlatformEvents"/> in the daemon, whatever order the layers are added in, fanning out to each layer's sink.</summary>
public sealed class PlatformEventsWiringTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Serving_and_eventing_register_one_platform_events_and_one_sink_each(bool servingFirst)
    {
        var services = new ServiceCollection();
        if (servingFirst) services.AddKinletServing().AddKinletEventing();
        else services.AddKinletEventing().AddKinletServing();

        Assert.Single(services, d => d.ServiceType == typeof(IPlatformEvents));
        var sinks = services.Where(d => d.ServiceType == typeof(IPlatformEventSink)).Select(d => d.ImplementationType).ToList();
        Assert.Equal(2, sinks.Count);
        Assert.Contains(typeof(PlatformEventSink<ServiceActivity>), sinks);
        Assert.Contains(typeof(PlatformEventSink<LifecycleEvents>), sinks);
    }

    [Fact]
    public void Adding_a_layer_twice_adds_its_sink_once()
    {
        var services = new ServiceCollection().AddKinletServing().AddKinletServing();
        Assert.Single(services, d => d.ServiceType == typeof(IPlatformEventSink));
        Assert.Single(services, d => d.ServiceType == typeof(IPlatformEvents));
    }

    [Fact]
    public void The_fan_out_gives_every_sink_each_event_even_when_one_throws()
    {
        var seen = new List<string>();
        var fanOut = new PlatformEventFanOut(new IPlatformEventSink[] { new Sink(_ => throw new InvalidOperationException("broken")), new Sink(e => seen.Add(e.Name)) });
        fanOut.Emit(new PlatformEvent("dev.kinlet.service.created", "default", "service", "hello", new Dictionary<string, object?>()));
        Assert.Equal(["hello"], seen);
    }

    private sealed class Sink(Action<PlatformEvent> emit) : IPlatformEventSink
    {
        public void Emit(PlatformEvent e) => emit(e);
    }
}
