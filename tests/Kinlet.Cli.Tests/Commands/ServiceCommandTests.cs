using System.Text.Json;
using System.Text.Json.Nodes;
using Kinlet.Cli.Tests.Support;
using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Cli.Tests.Commands;

public sealed class ServiceCommandTests : IAsyncLifetime
{
    private FakeKinletd daemon = null!;

    public async Task InitializeAsync() => daemon = await FakeKinletd.StartAsync();
    public async Task DisposeAsync() => await daemon.DisposeAsync();

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(daemon, args);

    private static Service Web(string image = "web:1") => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
        Spec = new ServiceSpec { Template = new RevisionTemplate { Spec = new RevisionSpec { Containers = [new Container { Image = image }] } } },
    };

    [Fact]
    public async Task Create_posts_the_service_waits_for_ready_and_prints_the_url()
    {
        daemon.PendingPolls = 3;
        var r = await Run("service", "create", "echo", "--image", "echo:1", "--env", "TARGET=you", "--port", "8080",
            "--scale-min", "1", "--scale-max", "5", "--concurrency-limit", "2");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"Service 'echo' created to latest revision 'echo-00001' is available at URL:\nhttp://echo.localhost:{daemon.Port}\n", r.Stdout);
        Assert.Contains("waiting for service echo", r.Stderr);

        var post = Assert.Single(daemon.Calls("POST", FakeKinletd.ServicesPath()));
        Assert.Equal($"Bearer {FakeKinletd.Token}", post.Authorization);
        var sent = KinletJson.Deserialize<Service>(post.Body)!;
        Assert.Equal("echo", sent.Metadata.Name);
        var c = sent.Spec.Template.Spec.Containers.Single();
        Assert.Equal("echo:1", c.Image);
        Assert.Equal("you", c.Env!.Single(e => e.Name == "TARGET").Value);
        Assert.Equal(8080, c.Ports!.Single().ContainerPort);
        Assert.Equal(2, sent.Spec.Template.Spec.ContainerConcurrency);
        Assert.Equal("1", sent.Spec.Template.Metadata!.Annotations!["autoscaling.knative.dev/min-scale"]);
        Assert.Equal("5", sent.Spec.Template.Metadata.Annotations["autoscaling.knative.dev/max-scale"]);
        Assert.True(daemon.Calls("GET", FakeKinletd.ServicesPath() + "/echo").Count() >= 4, "polled until the generation was observed");
    }

    [Fact]
    public async Task Create_with_ready_false_exits_not_ready_with_the_reason()
    {
        daemon.FailWith = _ => ("ExitCode3", "container exited with code 3\nlast log: boom");

        var r = await Run("service", "create", "crash", "--image", "crash:1");

        Assert.Equal(ExitCodes.NotReady, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Contains("Error: service crash is not ready: ExitCode3: container exited with code 3\n  last log: boom\n", r.Stderr);
    }

    [Fact]
    public async Task Create_times_out_with_what_it_was_waiting_for()
    {
        daemon.PendingPolls = int.MaxValue;
        var r = await Run("service", "create", "slow", "--image", "slow:1", "--wait-timeout", "1");
        Assert.Equal(ExitCodes.Timeout, r.ExitCode);
        Assert.Contains("Error: timed out after 1s waiting for service slow to be reconciled", r.Stderr);
    }

    [Fact]
    public async Task Create_with_output_json_prints_only_the_service_json_on_stdout()
    {
        var r = await Run("service", "create", "echo", "--image", "echo:1", "-o", "json");

        Assert.Equal(0, r.ExitCode);
        var service = KinletJson.Deserialize<Service>(r.Stdout)!;
        Assert.Equal("echo", service.Metadata.Name);
        Assert.True(service.Status!.Conditions.IsTrue("Ready"));
        Assert.Contains("Service 'echo' created to latest revision 'echo-00001'", r.Stderr);
    }

    [Fact]
    public async Task Create_with_no_wait_returns_after_the_post()
    {
        daemon.PendingPolls = int.MaxValue;
        var r = await Run("service", "create", "echo", "--image", "echo:1", "--no-wait");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Service 'echo' created in namespace 'default'.\n", r.Stdout);
        Assert.Empty(daemon.Calls("GET", FakeKinletd.ServicesPath() + "/echo"));
    }

    [Fact]
    public async Task Create_of_an_existing_service_is_a_conflict_unless_forced()
    {
        daemon.Seed(Web());

        var conflict = await Run("service", "create", "web", "--image", "web:2");
        Assert.Equal(ExitCodes.Conflict, conflict.ExitCode);
        Assert.Equal("Error: service 'web' already exists in namespace 'default'; use --force to replace it, or 'kinlet service update web'\n", conflict.Stderr);

        var forced = await Run("service", "create", "web", "--image", "web:2", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.StartsWith("Service 'web' replaced to latest revision 'web-00002'", forced.Stdout);
        Assert.Equal("web:2", daemon.Stored("web")!.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Create_in_another_namespace_uses_its_path()
    {
        var r = await Run("service", "create", "echo", "--image", "echo:1", "-n", "team-a");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single(daemon.Calls("POST", FakeKinletd.ServicesPath("team-a")));
    }

    [Fact]
    public async Task Warnings_from_the_daemon_go_to_stderr()
    {
        daemon.Warnings.Add("spec.template.spec.nodeSelector: not supported by Kinlet, ignored");
        var r = await Run("service", "create", "echo", "--image", "echo:1");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Warning: spec.template.spec.nodeSelector: not supported by Kinlet, ignored\n", r.Stderr);
        Assert.DoesNotContain("Warning", r.Stdout);
    }

    [Fact]
    public async Task A_rejected_field_is_one_line_naming_the_field()
    {
        daemon.Intercept = async ctx =>
        {
            if (ctx.Request.Method != "POST") return false;
            ctx.Response.StatusCode = 400;
            await ctx.Response.WriteAsync("""{"error":"must not be empty","field":"spec.template.spec.containers[0].image"}""");
            return true;
        };
        var r = await Run("service", "create", "echo", "--image", "echo:1");
        Assert.Equal(ExitCodes.Failure, r.ExitCode);
        Assert.Equal("Error: spec.template.spec.containers[0].image: must not be empty\n", r.Stderr);
    }

    [Fact]
    public async Task Update_changes_only_the_given_flags_and_reports_the_new_revision()
    {
        var seeded = Web();
        seeded.Spec.Template.Spec.Containers[0].Env = [new EnvVar { Name = "A", Value = "1" }, new EnvVar { Name = "B", Value = "2" }];
        daemon.Seed(seeded);

        var r = await Run("service", "update", "web", "--env", "A=again", "--env", "B-");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"Service 'web' updated to latest revision 'web-00002' is available at URL:\nhttp://web.localhost:{daemon.Port}\n", r.Stdout);
        var put = KinletJson.Deserialize<Service>(Assert.Single(daemon.Calls("PUT", FakeKinletd.ServicesPath() + "/web")).Body)!;
        Assert.Equal("web:1", put.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal([("A", "again")], put.Spec.Template.Spec.Containers[0].Env!.Select(e => (e.Name, e.Value!)));
        Assert.Null(put.Status);
    }

    [Fact]
    public async Task Update_of_traffic_only_reports_the_revision_unchanged()
    {
        daemon.Seed(Web());
        daemon.SeedRevision("web", "web-00000", generation: 0);

        var r = await Run("service", "update", "web", "--traffic", "web-00000=100", "--tag", "@latest=current");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("Service 'web' with latest revision 'web-00001' (unchanged) is available at URL:", r.Stdout);
        var traffic = daemon.Stored("web")!.Spec.Traffic!;
        Assert.Collection(traffic,
            t => { Assert.True(t.LatestRevision); Assert.Equal("current", t.Tag); Assert.Equal(0, t.Percent); },
            t => { Assert.Equal("web-00000", t.RevisionName); Assert.Equal(100, t.Percent); });
    }

    [Fact]
    public async Task Update_with_traffic_not_summing_to_100_sends_nothing()
    {
        daemon.Seed(Web());
        var r = await Run("service", "update", "web", "--traffic", "web-00001=50");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Equal("Error: --traffic: the percents sum to 50; they must sum to 100\n", r.Stderr);
        Assert.Empty(daemon.Calls("PUT", FakeKinletd.ServicesPath()));
    }

    [Fact]
    public async Task Update_to_an_unknown_revision_names_the_ones_that_exist()
    {
        daemon.Seed(Web());
        var r = await Run("service", "update", "web", "--traffic", "web-00042=100");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Equal("Error: --traffic: revision 'web-00042' does not exist for service web (it has web-00001)\n", r.Stderr);
    }

    [Fact]
    public async Task Update_without_flags_is_a_usage_error()
    {
        var r = await Run("service", "update", "web");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.StartsWith("Error: nothing to update", r.Stderr);
    }

    [Fact]
    public async Task Update_of_a_missing_service_is_not_found()
    {
        var r = await Run("service", "update", "ghost", "--image", "x");
        Assert.Equal(ExitCodes.NotFound, r.ExitCode);
        Assert.Equal("Error: service \"ghost\" not found\n", r.Stderr);
    }

    [Fact]
    public async Task List_prints_a_table_with_name_url_latest_age_ready_reason()
    {
        daemon.Seed(Web());
        daemon.Seed(new Service
        {
            Metadata = new ObjectMeta { Name = "api", Namespace = "default" },
            Spec = Web().Spec,
        });

        var r = await Run("service", "list");

        Assert.Equal(0, r.ExitCode);
        var lines = CliRunner.Lines(r.Stdout);
        Assert.Matches(@"^NAME\s+URL\s+LATEST\s+AGE\s+READY\s+REASON$", lines[0]);
        Assert.Matches($@"^api\s+http://api\.localhost:{daemon.Port}\s+api-00001\s+5m\s+True$", lines[1]);
        Assert.StartsWith("web ", lines[2]);
    }

    [Fact]
    public async Task List_of_all_namespaces_adds_the_namespace_column()
    {
        var other = Web();
        other.Metadata.Namespace = "prod";
        daemon.Seed(other);
        var r = await Run("service", "list", "-A");
        Assert.Matches(@"^NAMESPACE\s+NAME", CliRunner.Lines(r.Stdout)[0]);
        Assert.StartsWith("prod ", CliRunner.Lines(r.Stdout)[1]);
        Assert.Single(daemon.Calls("GET", "/apis/serving.knative.dev/v1/services"));
    }

    [Fact]
    public async Task List_with_output_yaml_prints_the_service_list()
    {
        daemon.Seed(Web());
        var r = await Run("service", "list", "-o", "yaml");
        var doc = Assert.Single(YamlJson.ParseDocuments(r.Stdout)).Node;
        Assert.Equal("ServiceList", doc["kind"]!.GetValue<string>());
        Assert.Equal("web", doc["items"]![0]!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public async Task An_empty_list_says_so()
    {
        var r = await Run("service", "list");
        Assert.Equal("No services found.\n", r.Stdout);
    }

    [Fact]
    public async Task Describe_shows_url_image_traffic_revisions_and_conditions()
    {
        var seeded = Web("registry.local/web:7");
        seeded.Spec.Traffic = [new TrafficTarget { LatestRevision = true, Percent = 100, Tag = "current" }];
        daemon.Seed(seeded);

        var r = await Run("service", "describe", "web");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Name:        web\n", r.Stdout);
        Assert.Contains("Namespace:   default\n", r.Stdout);
        Assert.Contains($"URL:         http://web.localhost:{daemon.Port}\n", r.Stdout);
        Assert.Contains("Image:       registry.local/web:7\n", r.Stdout);
        Assert.Matches($@"Traffic:\n  PERCENT\s+REVISION\s+TAG\s+URL\n  100%\s+@latest \(web-00001\)\s+current\s+http://current-web\.localhost:{daemon.Port}\n", r.Stdout);
        Assert.Matches(@"Revisions:\n  NAME\s+TRAFFIC\s+TAGS\s+READY\s+INSTANCES\s+RESTARTS\s+AUTOSCALER\s+AGE\s+REASON\n  web-00001\s+100%\s+current\s+True\s+1/1\s+0\s+\d+s\n", r.Stdout);
        Assert.Matches(@"Conditions:\n  TYPE\s+STATUS\s+AGE\s+REASON\s+MESSAGE\n  Ready\s+True", r.Stdout);
    }

    [Fact]
    public async Task Describe_with_output_yaml_prints_the_service_resource()
    {
        daemon.Seed(Web());
        var r = await Run("service", "describe", "web", "-o", "yaml");
        var svc = ManifestReader.Bind<Service>(ManifestReader.Read(r.Stdout).Single().Body).Value;
        Assert.Equal("web", svc.Metadata.Name);
        Assert.Equal("web:1", svc.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Describe_with_output_json_prints_parseable_json_only()
    {
        daemon.Seed(Web());
        var r = await Run("service", "describe", "web", "-o", "json");
        Assert.Equal("web", JsonNode.Parse(r.Stdout)!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_prints_kns_sentence()
    {
        daemon.Seed(Web());
        var r = await Run("service", "delete", "web");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Service 'web' successfully deleted in namespace 'default'.\n", r.Stdout);
        Assert.Null(daemon.Stored("web"));
    }

    [Fact]
    public async Task Delete_of_a_missing_service_is_not_found()
    {
        var r = await Run("service", "delete", "ghost");
        Assert.Equal(ExitCodes.NotFound, r.ExitCode);
        Assert.Single(CliRunner.Lines(r.Stderr), l => l.StartsWith("Error:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Output_other_than_json_or_yaml_is_rejected_before_calling_the_daemon()
    {
        var r = await Run("service", "list", "-o", "xml");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Single(CliRunner.Lines(r.Stderr));
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task Json_output_of_a_list_is_a_service_list()
    {
        daemon.Seed(Web());
        var r = await Run("service", "list", "-o", "json");
        var list = JsonSerializer.Deserialize<ResourceList<Service>>(r.Stdout, KinletJson.Options)!;
        Assert.Equal("ServiceList", list.Kind);
        Assert.Single(list.Items);
    }
}
