using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Output;

public sealed class ScalingTextTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-01T12:00:00Z");

    [Fact]
    public void Instances_show_ready_desired_and_starting()
    {
        Assert.Equal("1/3 (+2 starting)", ResourceTables.Instances(new RevisionStatus { ActualReplicas = 1, DesiredReplicas = 3, StartingReplicas = 2 }));
        Assert.Equal("2/2", ResourceTables.Instances(new RevisionStatus { ActualReplicas = 2, DesiredReplicas = 2, StartingReplicas = 0 }));
        Assert.Equal("-/-", ResourceTables.Instances(null));
    }

    [Fact]
    public void Scaling_says_panic_the_reason_and_when_zero_comes()
    {
        Assert.Equal("PANIC", ResourceTables.Scaling(new RevisionStatus { Panicking = true, ScaleReason = "panic" }, Now));
        var text = ResourceTables.Scaling(new RevisionStatus { ScaleReason = "scale to zero after grace", ScaleToZeroAt = Now.AddSeconds(8) }, Now);
        Assert.StartsWith("scale to zero after grace, zero at ", text);
        Assert.EndsWith("(in 8s)", text);
        Assert.Equal("", ResourceTables.Scaling(null, Now));
    }

    [Fact]
    public void A_past_scale_to_zero_time_says_in_0s()
    {
        Assert.EndsWith("(in 0s)", ResourceTables.ScaleToZero(new RevisionStatus { ScaleToZeroAt = Now.AddSeconds(-3) }, Now));
        Assert.Null(ResourceTables.ScaleToZero(new RevisionStatus(), Now));
    }
}
