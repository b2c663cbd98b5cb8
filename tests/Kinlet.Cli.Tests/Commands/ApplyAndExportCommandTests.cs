using Kinlet.Cli.Tests.Support;
using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Commands;

public sealed class ApplyAndExportCommandTests : IAsyncLifetime, IDisposable
{
    private FakeKinletd daemon = null!;
    private readonly string dir = Directory.CreateTempSubdirectory("kinlet-apply-").FullName;

    public async Task InitializeAsync() => daemon = await FakeKinletd.StartAsync();
    public async Task DisposeAsync() => await daemon.DisposeAsync();
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(daemon, args);

    private static string Manifest(string name, string image, string extra = "") => $"""
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: {name}
        spec:
          template:
            metadata:
              annotations:
                autoscaling.knative.dev/min-scale: 1
            spec:
              containers:
                - image: {image}
                  env:
                    - name: TARGET
                      value: world
        {extra}
        """;

    private string File(string name, string text)
    {
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private void SeedFrom(string yaml) =>
        daemon.Seed(ManifestReader.Bind<Service>(ManifestReader.Read(yaml)[0].Body).Value);

    [Fact]
    public async Task Apply_of_a_two_document_file_posts_the_new_one_and_puts_the_changed_one()
    {
        SeedFrom(Manifest("existing", "existing:1"));
        var path = File("two.yaml", Manifest("fresh", "fresh:1") + "---\n" + Manifest("existing", "existing:2"));

        var r = await Run("apply", "-f", path);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            "Service 'fresh' created\nService 'existing' configured\n" +
            $"Service 'fresh' is ready at http://fresh.localhost:{daemon.Port}\n" +
            $"Service 'existing' is ready at http://existing.localhost:{daemon.Port}\n", r.Stdout);
        var post = Assert.Single(daemon.Calls("POST", FakeKinletd.ServicesPath()));
        Assert.Contains("\"fresh\"", post.Body);
        var put = Assert.Single(daemon.Calls("PUT", FakeKinletd.ServicesPath() + "/existing"));
        Assert.Contains("existing:2", put.Body);
        Assert.Equal("existing:2", daemon.Stored("existing")!.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Apply_of_an_equal_spec_is_unchanged_and_sends_no_put()
    {
        SeedFrom(Manifest("same", "same:1"));
        var r = await Run("apply", "-f", File("same.yaml", Manifest("same", "same:1")));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("Service 'same' unchanged\n", r.Stdout);
        Assert.Empty(daemon.Calls("PUT", FakeKinletd.ServicesPath()));
    }

    [Fact]
    public async Task Apply_sends_the_manifest_as_written_so_the_daemon_can_warn_about_ignored_fields()
    {
        var path = File("extra.yaml", Manifest("extra", "extra:1").Replace("        - image: extra:1", "        - image: extra:1\n          stdin: true", StringComparison.Ordinal));
        var r = await Run("apply", "-f", path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("\"stdin\":true", Assert.Single(daemon.Calls("POST", FakeKinletd.ServicesPath())).Body);
        Assert.Contains("Warning: spec.template.spec.containers[0].stdin: not supported by Kinlet, ignored", r.Stderr);
    }

    [Fact]
    public async Task Apply_with_an_unsupported_kind_applies_nothing()
    {
        var path = File("mixed.yaml", Manifest("ok", "ok:1") + """
            ---
            apiVersion: messaging.knative.dev/v1
            kind: Channel
            metadata:
              name: t
            """);

        var r = await Run("apply", "-f", path);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.StartsWith("Error: kind Channel (messaging.knative.dev/v1) is not supported: kinlet applies", r.Stderr);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task Apply_of_a_bad_field_names_file_line_and_field_and_applies_nothing()
    {
        var good = File("a.yaml", Manifest("good", "good:1"));
        var bad = File("b.yaml", Manifest("bad", "bad:1").Replace("value: world", "value: {nested: map}", StringComparison.Ordinal));

        var r = await Run("apply", "-f", good, "-f", bad);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Equal($"Error: {bad}:1: Service/bad: spec.template.spec.containers[0].env[0].value: must be a string\n", r.Stderr);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task Apply_reads_stdin_for_a_dash()
    {
        var r = await CliRunner.RunAsync(CliRunner.EnvFor(daemon), Manifest("piped", "piped:1"), "apply", "-f", "-", "--no-wait");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("Service 'piped' created\n", r.Stdout);
    }

    [Fact]
    public async Task Apply_with_output_json_prints_only_the_applied_service()
    {
        var r = await Run("apply", "-f", File("one.yaml", Manifest("one", "one:1")), "-o", "json");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("one", KinletJson.Deserialize<Service>(r.Stdout)!.Metadata.Name);
        Assert.Contains("Service 'one' created", r.Stderr);
    }

    [Fact]
    public async Task Apply_fails_when_a_service_does_not_become_ready()
    {
        daemon.FailWith = s => s.Metadata.Name == "broken" ? ("ContainerMissing", "image nope:1 not found") : null;
        var path = File("two.yaml", Manifest("fine", "fine:1") + "---\n" + Manifest("broken", "nope:1"));

        var r = await Run("apply", "-f", path);

        Assert.Equal(ExitCodes.NotReady, r.ExitCode);
        Assert.Contains($"Service 'fine' is ready at http://fine.localhost:{daemon.Port}", r.Stdout);
        Assert.EndsWith("Error: service broken is not ready: ContainerMissing: image nope:1 not found\n", r.Stderr);
    }

    [Fact]
    public async Task Apply_of_a_missing_file_says_so()
    {
        var r = await Run("apply", "-f", Path.Combine(dir, "nope.yaml"));
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.EndsWith("nope.yaml: no such file or directory\n", r.Stderr);
    }

    [Fact]
    public async Task Export_writes_yaml_that_reads_back_to_the_same_spec()
    {
        var seeded = ManifestReader.Bind<Service>(ManifestReader.Read(Manifest("hello", "hello:1"))[0].Body).Value;
        seeded.Spec.Traffic = [new TrafficTarget { LatestRevision = true, Percent = 100, Tag = "current" }];
        daemon.Seed(seeded);

        var r = await Run("export", "hello");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("status", r.Stdout);
        Assert.DoesNotContain("uid", r.Stdout);
        Assert.DoesNotContain("generation", r.Stdout);
        var back = ManifestReader.Bind<Service>(ManifestReader.Read(r.Stdout).Single().Body).Value;
        Assert.Equal(KinletJson.Serialize(daemon.Stored("hello")!.Spec), KinletJson.Serialize(back.Spec));
    }

    [Fact]
    public async Task Export_of_every_service_then_apply_is_unchanged()
    {
        SeedFrom(Manifest("a", "a:1"));
        SeedFrom(Manifest("b", "b:1"));

        var export = await Run("export");
        Assert.Equal(2, ManifestReader.Read(export.Stdout).Count);
        var applied = await Run("apply", "-f", File("export.yaml", export.Stdout));

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.StartsWith("Service 'a' unchanged\nService 'b' unchanged\n", applied.Stdout);
        Assert.Empty(daemon.Calls("PUT", FakeKinletd.ServicesPath()));
        Assert.Empty(daemon.Calls("POST", FakeKinletd.ServicesPath()));
    }

    [Fact]
    public async Task Export_as_json_is_a_list_that_apply_reads()
    {
        SeedFrom(Manifest("a", "a:1"));
        var export = await Run("export", "-o", "json");
        Assert.Contains("\"kind\": \"List\"", export.Stdout);
        var applied = await Run("apply", "-f", File("export.json", export.Stdout), "--no-wait");
        Assert.Equal("Service 'a' unchanged\n", applied.Stdout);
    }
}
