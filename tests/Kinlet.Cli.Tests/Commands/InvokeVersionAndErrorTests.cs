using System.Net;
using System.Net.Sockets;
using Kinlet.Cli.Tests.Support;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Commands;

public sealed class InvokeVersionAndErrorTests : IAsyncLifetime, IDisposable
{
    private FakeKinletd daemon = null!;
    private readonly string dir = Directory.CreateTempSubdirectory("kinlet-cli-").FullName;

    public async Task InitializeAsync()
    {
        daemon = await FakeKinletd.StartAsync();
        daemon.Seed(new Service
        {
            Metadata = new ObjectMeta { Name = "echo", Namespace = "default" },
            Spec = new ServiceSpec
            {
                Template = new RevisionTemplate { Spec = new RevisionSpec { Containers = [new Container { Image = "echo:1" }] } },
                Traffic = [new TrafficTarget { LatestRevision = true, Percent = 100, Tag = "canary" }],
            },
        });
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(daemon, args);

    [Fact]
    public async Task Invoke_sends_the_service_host_header_to_the_api_host_and_prints_the_body()
    {
        var r = await Run("invoke", "echo", "--path", "/hello?x=1", "-H", "X-Test: yes");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"host=echo.localhost:{daemon.Port} method=GET path=/hello?x=1 x-test=yes content-type= body=", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public async Task Invoke_with_data_posts_it_and_reads_files_with_an_at_sign()
    {
        var file = Path.Combine(dir, "body.json");
        await File.WriteAllTextAsync(file, """{"from":"file"}""");

        var r = await Run("invoke", "echo", "-d", "@" + file, "-H", "Content-Type: application/json");

        Assert.Equal($"host=echo.localhost:{daemon.Port} method=POST path=/ x-test= content-type=application/json body={{\"from\":\"file\"}}", r.Stdout);
    }

    [Fact]
    public async Task Invoke_of_a_tag_uses_the_tags_host()
    {
        var r = await Run("invoke", "echo", "--tag", "canary", "-X", "put");
        Assert.StartsWith($"host=canary-echo.localhost:{daemon.Port} method=PUT", r.Stdout);
    }

    [Fact]
    public async Task Invoke_of_an_unknown_tag_is_not_found()
    {
        var r = await Run("invoke", "echo", "--tag", "nope");
        Assert.Equal(ExitCodes.NotFound, r.ExitCode);
        Assert.Equal("Error: service echo has no tag 'nope'\n", r.Stderr);
    }

    [Fact]
    public async Task Invoke_prints_the_body_of_a_failure_then_exits_with_the_status()
    {
        var r = await Run("invoke", "echo", "--path", "/?status=503");
        Assert.Equal(ExitCodes.HttpError, r.ExitCode);
        Assert.StartsWith("host=echo.localhost", r.Stdout);
        Assert.Equal("Error: HTTP 503\n", r.Stderr);
    }

    [Fact]
    public async Task Invoke_verbose_prints_status_and_headers_to_stderr()
    {
        var r = await Run("invoke", "echo", "-v");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("> GET / HTTP/1.1\n", r.Stderr);
        Assert.Contains("< HTTP/1.1 200 OK\n", r.Stderr);
        Assert.Contains($"< X-Echo-Host: echo.localhost:{daemon.Port}\n", r.Stderr);
        Assert.DoesNotContain("HTTP/1.1", r.Stdout);
    }

    [Fact]
    public async Task Version_prints_the_client_and_the_daemon()
    {
        var r = await Run("version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"Client: 0.1.0\nServer: 0.1.0 at {daemon.Url} (domain localhost, ingress port {daemon.Port})\n", r.Stdout);
    }

    [Fact]
    public async Task Version_still_prints_the_client_when_the_daemon_is_down()
    {
        var env = new Dictionary<string, string?> { ["KINLET_API"] = $"http://127.0.0.1:{ClosedPort()}", ["KINLET_TOKEN"] = "x" };
        var r = await CliRunner.RunAsync(env, null, "version");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Client: 0.1.0\nServer: not answering at http://127.0.0.1:", r.Stdout);
    }

    [Fact]
    public async Task An_unreachable_daemon_is_one_line_saying_how_to_start_it()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";
        var r = await CliRunner.RunAsync(new Dictionary<string, string?> { ["KINLET_TOKEN"] = "x" }, null, "service", "list", "--api", url);
        Assert.Equal(ExitCodes.Unreachable, r.ExitCode);
        Assert.Equal($"Error: kinletd is not answering at {url}. Start it with 'kinletd' (or ./install.sh), or point KINLET_API at it.\n", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task A_refused_token_names_the_token_file()
    {
        var stateDir = Path.Combine(dir, "state");
        Directory.CreateDirectory(stateDir);
        await File.WriteAllTextAsync(Path.Combine(stateDir, "token"), "wrong-token\n");
        var env = new Dictionary<string, string?> { ["KINLET_API"] = daemon.Url, ["KINLET_STATE_DIR"] = stateDir };

        var r = await CliRunner.RunAsync(env, null, "service", "list");

        Assert.Equal(ExitCodes.Unauthorized, r.ExitCode);
        Assert.Equal($"Error: kinletd refused the token (401). It is in {Path.Combine(stateDir, "token")} (readable by its owner only); run as that user or set KINLET_TOKEN.\n", r.Stderr);
        Assert.Equal("Bearer wrong-token", daemon.Requests.Single().Authorization);
    }

    [Fact]
    public async Task The_token_file_in_the_state_dir_is_found_by_itself()
    {
        var stateDir = Path.Combine(dir, "state2");
        Directory.CreateDirectory(stateDir);
        await File.WriteAllTextAsync(Path.Combine(stateDir, "token"), FakeKinletd.Token + "\n");
        var r = await CliRunner.RunAsync(new Dictionary<string, string?> { ["KINLET_API"] = daemon.Url, ["KINLET_STATE_DIR"] = stateDir }, null, "service", "list");
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public async Task The_plain_entry_point_runs_with_writers_and_an_environment()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["service", "list", "-o", "json"], stdout, stderr, CliRunner.EnvFor(daemon)).WaitAsync(CliRunner.Timeout);
        Assert.Equal(0, code);
        Assert.Contains("\"ServiceList\"", stdout.ToString());
    }

    [Fact]
    public async Task A_missing_argument_is_one_usage_line()
    {
        var r = await Run("service", "describe");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Equal("Error: Required argument missing for command: 'describe'. See 'kinlet service describe --help'.\n", r.Stderr);
    }

    [Fact]
    public async Task An_invalid_api_url_is_a_usage_error()
    {
        var r = await CliRunner.RunAsync(new Dictionary<string, string?>(), null, "service", "list", "--api", "localhost:7070");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Equal("Error: --api: 'localhost:7070' is not an http:// or https:// URL\n", r.Stderr);
    }

    [Fact]
    public async Task A_noun_alone_prints_its_help()
    {
        var r = await Run("service");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("create", r.Stdout);
        Assert.Contains("update", r.Stdout);
    }

    /// <summary>A port nothing listens on: bound once to learn a free number, then closed.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
