using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Infrastructure;

/// <summary>Tests against the class's shared daemon; every CLI call and its output goes to the test log.</summary>
public abstract class DaemonTest(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    protected KinletDaemon Daemon => fixture.Daemon;

    protected ITestOutputHelper Output => output;

    protected async Task<ProcessResult> Cli(params string[] args)
    {
        var result = await Daemon.CliAsync(args);
        output.WriteLine($"$ kinlet {string.Join(' ', args)}\n{result}");
        return result;
    }
}
