using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>
/// <c>kinlet init</c> → <c>kinlet deploy</c> → a call, for every language and template, built on the real engine
/// from the local base images; and what a redeploy does: nothing when nothing changed, a new revision without a
/// failed request after an edit, and nothing at all (the old revision keeps serving) when the build fails.
/// Every function gets a fresh name, so each run really builds; its images are removed afterwards.
/// </summary>
public sealed class FunctionTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output), IAsyncLifetime
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("kinlet-fn-").FullName;
    private readonly List<string> _functions = [];

    public static TheoryData<string, string> LanguagesAndTemplates() => new()
    {
        { "dotnet", "http" }, { "dotnet", "cloudevents" },
        { "node", "http" }, { "node", "cloudevents" },
        { "python", "http" }, { "python", "cloudevents" },
        { "shell", "http" }, { "shell", "cloudevents" },
    };

    [Theory]
    [MemberData(nameof(LanguagesAndTemplates))]
    public async Task Init_then_deploy_gives_a_working_function(string language, string template)
    {
        var name = await InitAsync(language, template);
        var deployed = await Cli("deploy", Dir(name));
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
        Assert.Contains($"Building kinlet.local/{name}:", deployed.Stderr);
        Assert.Contains("Step 1/", deployed.Stderr); // the engine's build output was streamed
        Assert.Contains($"http://{name}.localhost:{Daemon.IngressPort}", deployed.Stdout);

        if (template == "http")
        {
            var (status, body) = await Daemon.GetAsync(Daemon.Host(name), "/?name=Kinlet");
            Assert.Equal(200, status);
            Assert.Equal("Hello, Kinlet!", body.Trim());
        }
        else
        {
            var invoked = await Cli("invoke", name, "--cloudevent", "--type", "com.example.ping", "--id", "ping-1", "--data", "{\"n\":1}", "-v");
            Assert.True(invoked.ExitCode == 0, invoked.ToString());
            // A reply event in binary mode whose data names the event it answers.
            Assert.Contains("ce-type: com.example.reply", invoked.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("\"received\":", invoked.Stdout.Replace(" ", ""));
            Assert.Contains("ping-1", invoked.Stdout);
        }

        await AssertStopsCleanlyOnSigtermAsync(ImageOf(deployed.Stderr, name));
    }

    /// <summary>
    /// The language runtime exits by itself on SIGTERM (exit code 0) instead of being killed after the grace period
    /// (137): run the built image straight on the engine, wait until it answers, stop it.
    /// </summary>
    private static async Task AssertStopsCleanlyOnSigtermAsync(string image)
    {
        var spec = new Kinlet.Containers.ContainerSpec
        {
            Name = "kinlet-sigterm-" + Guid.NewGuid().ToString("N")[..8],
            Image = image,
            Labels = new Dictionary<string, string> { ["dev.kinlet.test"] = "sigterm" },
            Env = [new("PORT", "8080")],
            ContainerPort = 8080,
        };
        var id = await Engine.Runtime.CreateAsync(spec, CancellationToken.None);
        try
        {
            var started = await Engine.Runtime.StartAsync(id, CancellationToken.None);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{started.HostPort}/");
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, $"{image} listens on $PORT", TimeSpan.FromSeconds(30));
            await Engine.Runtime.StopAsync(id, TimeSpan.FromSeconds(20), CancellationToken.None);
            var stopped = await Engine.Runtime.InspectAsync(id, CancellationToken.None);
            Assert.Equal(0, stopped?.ExitCode);
        }
        finally
        {
            await Engine.Runtime.RemoveAsync(id, CancellationToken.None);
        }
    }

    private static string ImageOf(string deployOutput, string name)
    {
        var start = deployOutput.IndexOf($"kinlet.local/{name}:", StringComparison.Ordinal);
        Assert.True(start >= 0, deployOutput);
        var end = deployOutput.IndexOfAny([' ', '\n', '\r'], start);
        return deployOutput[start..end];
    }

    [Fact]
    public async Task Redeploy_is_a_no_op_when_nothing_changed_and_a_rollout_without_errors_when_something_did()
    {
        var name = await InitAsync("node", "http");
        var first = await Cli("deploy", Dir(name));
        Assert.True(first.ExitCode == 0, first.ToString());

        var again = await Cli("deploy", Dir(name));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("is up to date", again.Stderr);
        Assert.Contains("is up to date", again.Stdout);
        Assert.DoesNotContain("Building", again.Stderr);
        Assert.Single(await RevisionsAsync(name));

        // One-line change while clients keep calling: a new image, a new revision, no failed request.
        var handler = Path.Combine(Dir(name), "handler.js");
        await File.WriteAllTextAsync(handler, (await File.ReadAllTextAsync(handler)).Replace("Hello, ", "Hi, ", StringComparison.Ordinal));
        using var stop = new CancellationTokenSource();
        var load = CallRepeatedlyAsync(name, stop.Token);
        var changed = await Cli("deploy", Dir(name));
        await Eventually.TrueAsync(async () => (await Daemon.GetAsync(Daemon.Host(name), "/?name=X")).Body.StartsWith("Hi, X", StringComparison.Ordinal),
            "the new revision answers", TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        await stop.CancelAsync();
        var (calls, failures) = await load;
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains("Building", changed.Stderr);
        Assert.Equal(2, (await RevisionsAsync(name)).Count);
        Output.WriteLine($"{calls} calls during the rollout, failures: {string.Join("; ", failures)}");
        Assert.True(calls > 0);
        Assert.Empty(failures);

        // A build that fails: exit code 10, the failing step and its output, and the running revision untouched.
        await File.WriteAllTextAsync(Path.Combine(Dir(name), "Dockerfile"), "FROM kinlet.local/node:18\nCOPY . /app/\nRUN echo compiling && exit 3\n");
        var broken = await Cli("deploy", Dir(name));
        Assert.Equal(10, broken.ExitCode);
        Assert.Contains("RUN echo compiling && exit 3", broken.Stderr);
        Assert.Contains("returned a non-zero code: 3", broken.Stderr);
        Assert.Contains("compiling", broken.Stderr);
        Assert.Equal(2, (await RevisionsAsync(name)).Count);
        var (status, body) = await Daemon.GetAsync(Daemon.Host(name), "/?name=X");
        Assert.Equal(200, status);
        Assert.Equal("Hi, X!", body.Trim());
    }

    [Fact]
    public async Task Own_dockerfile_build_only_and_image_flags()
    {
        // A folder with its own Dockerfile is built as it is; .dockerignore keeps files out of the context.
        var name = Unique("own");
        var dir = Dir(name);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "kinlet.yaml"), $"name: {name}\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "Dockerfile"),
            "FROM kinlet.local/busybox:latest\nCOPY . /www/\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "index.html"), "own dockerfile\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "secret.txt"), "keep me out\n");
        await File.WriteAllTextAsync(Path.Combine(dir, ".dockerignore"), "secret.txt\n");

        var built = await Cli("deploy", dir, "--build-only");
        Assert.True(built.ExitCode == 0, built.ToString());
        var image = built.Stdout.Trim();
        Assert.StartsWith($"kinlet.local/{name}:", image);
        Assert.Empty(await RevisionsAsync(name)); // --build-only deploys nothing

        var deployed = await Cli("deploy", dir, "--image", image);
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
        Assert.DoesNotContain("Building", deployed.Stderr);
        Assert.Equal("own dockerfile", (await Daemon.GetAsync(Daemon.Host(name), "/index.html")).Body.Trim());
        Assert.Equal(404, (await Daemon.GetAsync(Daemon.Host(name), "/secret.txt")).Status);
        Assert.Equal(404, (await Daemon.GetAsync(Daemon.Host(name), "/kinlet.yaml")).Status); // kinlet.yaml stays out too

        // The same folder deployed without --image finds its image by content and rolls out nothing new.
        var again = await Cli("deploy", dir);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"Image {image} is up to date", again.Stderr);
        Assert.Single(await RevisionsAsync(name));
    }

    [Fact]
    public async Task Deploy_with_a_secret_env_gives_the_function_the_value_and_shows_only_the_reference()
    {
        const string value = "s3cret-Qx7-deploy";
        var name = await InitAsync("python", "http");
        var secret = Unique("db");
        Assert.Equal(0, (await Cli("secret", "create", secret, "--from-literal", "password=" + value)).ExitCode);
        await File.WriteAllTextAsync(Path.Combine(Dir(name), "handler.py"),
            "import os\n\ndef handle(req):\n    return 'ok' if os.environ.get('DB_PASSWORD') == '" + value + "' else 'missing'\n");

        var deployed = await Cli("deploy", Dir(name), "--env-secret", $"DB_PASSWORD={secret}:password");
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
        Assert.Equal("ok", (await Daemon.GetAsync(Daemon.Host(name))).Body.Trim());
        var described = await Cli("service", "describe", name, "-o", "yaml");
        Assert.Contains("secretKeyRef", described.Stdout);
        Assert.DoesNotContain(value, deployed.ToString() + described + (await Cli("logs", name)) + Daemon.Logs);
        await Cli("secret", "delete", secret);
    }

    [Fact]
    public async Task Deploy_reports_bad_settings_before_building()
    {
        var name = Unique("bad");
        var dir = Dir(name);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "kinlet.yaml"), $"name: {name}\nlanguage: cobol\n");
        var wrongLanguage = await Cli("deploy", dir);
        Assert.Equal(2, wrongLanguage.ExitCode);
        Assert.Contains("language: 'cobol'", wrongLanguage.Stderr);

        await File.WriteAllTextAsync(Path.Combine(dir, "kinlet.yaml"), $"name: {name}\nlanguage: node\nscal:\n  min: 1\n");
        var typo = await Cli("deploy", dir);
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("kinlet.yaml:3", typo.Stderr);
        Assert.Contains("scal", typo.Stderr);

        var missing = await Cli("deploy", Path.Combine(_workspace, "nothing-here"));
        Assert.Equal(2, missing.ExitCode);
    }

    private async Task<string> InitAsync(string language, string template)
    {
        var name = Unique(language[..Math.Min(language.Length, 6)] + (template == "http" ? "-h" : "-ce"));
        var init = await Cli("init", name, "--language", language, "--template", template, "--path", Dir(name));
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(File.Exists(Path.Combine(Dir(name), "kinlet.yaml")));
        Assert.True(File.Exists(Path.Combine(Dir(name), "README.md")));
        return name;
    }

    private string Unique(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        _functions.Add(name);
        return name;
    }

    private string Dir(string name) => Path.Combine(_workspace, name);

    private async Task<List<string>> RevisionsAsync(string service)
    {
        var json = await Daemon.Api.GetStringAsync(
            $"/apis/serving.knative.dev/v1/namespaces/default/revisions?labelSelector=serving.knative.dev/service={service}");
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("metadata").GetProperty("name").GetString()!)];
    }

    private async Task<(int Calls, List<string> Failures)> CallRepeatedlyAsync(string name, CancellationToken ct)
    {
        var calls = 0;
        var failures = new List<string>();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var (status, body) = await Daemon.GetAsync(Daemon.Host(name), "/?name=X", CancellationToken.None);
                calls++;
                if (status != 200) failures.Add($"{status}: {body.Trim()}");
            }
            catch (HttpRequestException e)
            {
                failures.Add(e.Message);
            }
        }
        return (calls, failures);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var name in _functions)
        {
            await Daemon.CliAsync("service", "delete", name);
            await RemoveImagesAsync("kinlet.local/" + name);
        }
        try { Directory.Delete(_workspace, recursive: true); } catch (IOException) { }
    }

    private static async Task RemoveImagesAsync(string repository)
    {
        var list = await ProcessRunner.RunAsync("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}", repository]);
        foreach (var image in list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            await ProcessRunner.RunAsync("docker", ["rmi", "-f", image]);
    }
}
