using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Eventing;

/// <summary>samples/orders as its README tells a new user to run it: apply, send an order, see both services react.</summary>
public sealed class OrdersSampleTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task The_orders_sample_reserves_and_notifies()
    {
        var manifest = Path.Combine(RepoPaths.Root(), "samples", "orders", "eventing.yaml");
        var applied = await Cli("apply", "-f", manifest);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        foreach (var line in new[] { "Broker 'default' created", "Service 'inventory' created", "Service 'notification' created", "Trigger 'inventory' created", "Trigger 'notification' created" })
            Assert.Contains(line, applied.Stdout);

        var again = await Cli("apply", "-f", manifest);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("created", again.Stdout);
        Assert.DoesNotContain("configured", again.Stdout);
        Assert.Contains("Trigger 'notification' unchanged", again.Stdout);

        var sent = await Cli("event", "send", "--broker", "default", "--type", "com.example.order.created", "--source", "/shop", "--data", """{"id":42}""");
        Assert.True(sent.ExitCode == 0, sent.ToString());

        await Eventually.TrueAsync(async () =>
        {
            var (status, body) = await Daemon.GetAsync(Daemon.Host("notification"));
            return status == 200 && body.Contains("com.example.order.created") && body.Contains("com.example.inventory.reserved");
        }, "notification hears of the order and of the reservation (inventory's reply)", TimeSpan.FromSeconds(60));
        var (_, inventory) = await Daemon.GetAsync(Daemon.Host("inventory"));
        Assert.Contains("inventory: com.example.order.created", inventory);
        Assert.Contains("for order 42", inventory);

        // The service records an event before it answers; the trigger counts it after the answer.
        await Eventually.TrueAsync(async () => System.Text.RegularExpressions.Regex.IsMatch((await Cli("trigger", "describe", "notification")).Stdout, @"Delivered:\s+2"),
            "describe counts both deliveries", TimeSpan.FromSeconds(10));
    }
}
