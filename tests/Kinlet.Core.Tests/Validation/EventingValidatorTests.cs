using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Core.Tests.Validation;

public sealed class EventingValidatorTests
{
    private static Trigger Trigger(Action<TriggerSpec>? change = null)
    {
        var t = new Trigger
        {
            Metadata = new ObjectMeta { Name = "orders" },
            Spec = new TriggerSpec
            {
                Broker = "default",
                Subscriber = new Destination { Ref = new KReference { ApiVersion = KnativeApi.ServingV1, Kind = "Service", Name = "order-processor" } },
            },
        };
        change?.Invoke(t.Spec);
        return t;
    }

    private static PingSource Ping(Action<PingSourceSpec>? change = null)
    {
        var p = new PingSource
        {
            Metadata = new ObjectMeta { Name = "heartbeat" },
            Spec = new PingSourceSpec
            {
                Schedule = "*/1 * * * *",
                Data = """{"beat":true}""",
                Sink = new Destination { Ref = new KReference { ApiVersion = KnativeApi.EventingV1, Kind = "Broker", Name = "default" } },
            },
        };
        change?.Invoke(p.Spec);
        return p;
    }

    private static string[] Fields(IReadOnlyList<FieldError> errors) => [.. errors.Select(e => e.Field)];

    [Fact]
    public void Valid_resources_pass()
    {
        Assert.Empty(EventingValidator.Validate(new Broker { Metadata = new ObjectMeta { Name = "default" } }));
        Assert.Empty(EventingValidator.Validate(Trigger()));
        Assert.Empty(EventingValidator.Validate(Trigger(s => s.Subscriber = new Destination { Uri = "http://127.0.0.1:9999/audit" })));
        Assert.Empty(EventingValidator.Validate(Ping()));
        Assert.Empty(EventingValidator.Validate(Ping(s => { s.Data = null; s.DataBase64 = "aGVsbG8="; s.Timezone = "Europe/Paris"; })));
    }

    [Fact]
    public void Header_fields_are_checked()
    {
        var broker = new Broker { ApiVersion = "eventing.knative.dev/v1beta1", Kind = "Brokr", Metadata = new ObjectMeta { Name = "Bad_Name" } };
        Assert.Equal(["apiVersion", "kind", "metadata.name"], Fields(EventingValidator.Validate(broker)));
    }

    [Fact]
    public void Trigger_needs_a_broker_and_a_subscriber()
    {
        Assert.Equal(["spec.broker", "spec.subscriber"], Fields(EventingValidator.Validate(Trigger(s => { s.Broker = null; s.Subscriber = null; }))));
    }

    [Theory]
    [InlineData(null, null, "ftp://x/y", "spec.subscriber.uri")]
    [InlineData(null, null, "/relative", "spec.subscriber.uri")]
    [InlineData("Deployment", "x", null, "spec.subscriber.ref.kind")]
    [InlineData("Service", null, null, "spec.subscriber.ref.name")]
    [InlineData("Service", "x", "http://abs/x", "spec.subscriber.uri")]
    public void Subscriber_shapes(string? kind, string? name, string? uri, string field)
    {
        var t = Trigger(s => s.Subscriber = new Destination
        {
            Ref = kind is null ? null : new KReference { Kind = kind, Name = name },
            Uri = uri,
        });
        Assert.Equal([field], Fields(EventingValidator.Validate(t)));
    }

    [Fact]
    public void Dead_letter_sink_is_a_destination()
    {
        var t = Trigger(s => s.Delivery = new DeliverySpec { DeadLetterSink = new Destination() });
        Assert.Equal(["spec.delivery.deadLetterSink"], Fields(EventingValidator.Validate(t)));
    }

    [Fact]
    public void Ping_source_rules()
    {
        Assert.Equal(["spec.schedule"], Fields(EventingValidator.Validate(Ping(s => s.Schedule = " "))));
        Assert.Equal(["spec.timezone"], Fields(EventingValidator.Validate(Ping(s => s.Timezone = "Mars/Olympus"))));
        Assert.Equal(["spec.dataBase64"], Fields(EventingValidator.Validate(Ping(s => s.DataBase64 = "aGk="))));
        Assert.Equal(["spec.dataBase64"], Fields(EventingValidator.Validate(Ping(s => { s.Data = null; s.DataBase64 = "***"; }))));
        Assert.Equal(["spec.data"], Fields(EventingValidator.Validate(Ping(s => s.Data = "[1,2]"))));
        Assert.Empty(EventingValidator.Validate(Ping(s => { s.Data = "plain"; s.ContentType = "text/plain"; })));
        Assert.Equal(["spec.sink"], Fields(EventingValidator.Validate(Ping(s => s.Sink = null))));
    }
}
