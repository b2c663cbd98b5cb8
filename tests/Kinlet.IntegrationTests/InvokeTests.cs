using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary><c>kinlet invoke</c> with a body from a file, a method, headers, and as a CloudEvent in binary mode.</summary>
public sealed class InvokeTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Invoke_sends_files_headers_and_cloudevents()
    {
        var created = await Cli("service", "create", "inv", "--image", Images.TestFn);
        Assert.True(created.ExitCode == 0, created.ToString());

        var file = Path.Combine(Path.GetTempPath(), "kinlet-invoke-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
        await File.WriteAllTextAsync(file, "from a file");
        try
        {
            var echoed = await Cli("invoke", "inv", "--path", "/echo", "--method", "POST", "--data", "@" + file, "--header", "Content-Type: text/plain");
            Assert.True(echoed.ExitCode == 0, echoed.ToString());
            Assert.Equal("from a file", echoed.Stdout.TrimEnd());
        }
        finally
        {
            File.Delete(file);
        }

        // testfn's /events records the ce-id it got: the event went in binary mode.
        var sent = await Cli("invoke", "inv", "--cloudevent", "--path", "/events", "--type", "com.example.ping", "--id", "ce-42", "--data", "{}", "-v");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("ce-type: com.example.ping", sent.Stderr);
        Assert.Contains("< HTTP/1.1 202", sent.Stderr);
        var (status, events) = await Daemon.GetAsync(Daemon.Host("inv"), "/events");
        Assert.Equal(200, status);
        Assert.Contains("ce-42", events);
        await Cli("service", "delete", "inv");
    }
}
