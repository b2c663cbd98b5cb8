namespace Kinlet.IntegrationTests.Infrastructure;

/// <summary>One daemon shared by the tests of a class; each test uses its own service names.</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public KinletDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() => Daemon = await KinletDaemon.StartAsync();

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}

public static class Images
{
    /// <summary>The test function (tests/images/testfn), built locally by test.sh; no registry.</summary>
    public const string TestFn = "kinlet.local/testfn:latest";

    public const string Hello = "kinlet.local/hello:latest";

    /// <summary>Not present and not pullable: there is no registry called kinlet.local.</summary>
    public const string Missing = "kinlet.local/does-not-exist:nope";
}

public static class Timeouts
{
    public static readonly TimeSpan Test = TimeSpan.FromMinutes(3);
}
