namespace Kinlet.IntegrationTests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until the condition holds; fails with the description after the bound.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting for: {what}");
            await Task.Delay(200);
        }
    }
}
