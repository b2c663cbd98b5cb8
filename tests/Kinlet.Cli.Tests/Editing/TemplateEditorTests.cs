using Kinlet.Cli.Editing;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Editing;

public class TemplateEditorTests
{
    private static Service Create(TemplateEdits edits) => TemplateEditor.NewService("echo", "default", edits);

    private static Service Existing()
    {
        var s = Create(new TemplateEdits
        {
            Image = "echo:v1",
            Env = ["A=1", "B=2", "C=3"],
            Annotations = ["team=web"],
            Limits = ["cpu=1"],
        });
        s.Spec.Template.Metadata!.Name = "echo-first";
        return s;
    }

    [Fact]
    public void Create_sets_name_namespace_image_env_and_port()
    {
        var s = Create(new TemplateEdits { Image = "ghcr.io/x/echo:1", Env = ["TARGET=you", "EMPTY="], Port = "8080" });

        Assert.Equal("echo", s.Metadata.Name);
        Assert.Equal("default", s.Metadata.Namespace);
        var c = Assert.Single(s.Spec.Template.Spec.Containers);
        Assert.Equal("ghcr.io/x/echo:1", c.Image);
        Assert.Equal([("TARGET", "you"), ("EMPTY", "")], c.Env!.Select(e => (e.Name, e.Value!)));
        Assert.Equal(8080, Assert.Single(c.Ports!).ContainerPort);
        Assert.Null(s.Spec.Template.Metadata);
        Assert.Null(s.Spec.Traffic);
    }

    [Fact]
    public void Env_from_adds_config_map_and_secret_references_in_order_once_each()
    {
        var s = Create(new TemplateEdits { Image = "i", EnvFrom = ["configmap:app", "secret:db", "cm:other", "config-map:app"] });

        var from = s.Spec.Template.Spec.Containers[0].EnvFrom!;
        Assert.Equal(["configmap:app", "secret:db", "configmap:other"],
            from.Select(e => e.SecretRef is { } r ? "secret:" + r.Name : "configmap:" + e.ConfigMapRef!.Name));
    }

    [Fact]
    public void Env_from_with_a_trailing_dash_removes_the_reference_and_makes_a_new_revision()
    {
        var s = Create(new TemplateEdits { Image = "i", EnvFrom = ["configmap:app", "secret:db"] });
        var edits = new TemplateEdits { EnvFrom = ["configmap:app-"] };
        Assert.True(edits.ChangesTemplate);

        TemplateEditor.Apply(s, edits);

        Assert.Equal("db", Assert.Single(s.Spec.Template.Spec.Containers[0].EnvFrom!).SecretRef!.Name);
        TemplateEditor.Apply(s, new TemplateEdits { EnvFrom = ["secret:db-"] });
        Assert.Null(s.Spec.Template.Spec.Containers[0].EnvFrom);
    }

    [Fact]
    public void Flags_edit_the_serving_container_never_a_sidecar()
    {
        var s = Create(new TemplateEdits { Image = "app:1" });
        s.Spec.Template.Spec.Containers.Insert(0, new Container { Name = "proxy", Image = "proxy:1" });
        s.Spec.Template.Spec.Containers[1].Ports = [new ContainerPortSpec { ContainerPort = 8080 }];

        TemplateEditor.Apply(s, new TemplateEdits { Image = "app:2" });

        Assert.Equal("proxy:1", s.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("app:2", s.Spec.Template.Spec.Containers[1].Image);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("volume:app")]
    [InlineData("secret:")]
    [InlineData("secret:-")]
    public void Env_from_needs_a_kind_and_a_name(string value)
    {
        var e = Assert.Throws<CliException>(() => Create(new TemplateEdits { Image = "i", EnvFrom = [value] }));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("--env-from takes configmap:NAME or secret:NAME", e.Message);
    }

    [Fact]
    public void Removing_an_env_from_reference_that_is_not_there_is_a_usage_error()
    {
        var s = Create(new TemplateEdits { Image = "i" });
        var e = Assert.Throws<CliException>(() => TemplateEditor.Apply(s, new TemplateEdits { EnvFrom = ["secret:db-"] }));
        Assert.Contains("secret 'db' is not referenced", e.Message);
    }

    [Fact]
    public void Create_requires_an_image()
    {
        var e = Assert.Throws<CliException>(() => Create(new TemplateEdits { Env = ["A=1"] }));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("--image", e.Message);
    }

    [Fact]
    public void Scale_flags_become_autoscaling_annotations_on_the_revision_template_only()
    {
        var s = Create(new TemplateEdits { Image = "i", ScaleMin = 0, ScaleMax = 5, ScaleInit = 2, ConcurrencyTarget = 10 });

        var a = s.Spec.Template.Metadata!.Annotations!;
        Assert.Equal("0", a["autoscaling.knative.dev/min-scale"]);
        Assert.Equal("5", a["autoscaling.knative.dev/max-scale"]);
        Assert.Equal("2", a["autoscaling.knative.dev/initial-scale"]);
        Assert.Equal("10", a["autoscaling.knative.dev/target"]);
        Assert.Null(s.Metadata.Annotations);
    }

    [Fact]
    public void Concurrency_limit_becomes_container_concurrency()
    {
        var s = Create(new TemplateEdits { Image = "i", ConcurrencyLimit = 1 });
        Assert.Equal(1, s.Spec.Template.Spec.ContainerConcurrency);
    }

    [Fact]
    public void Annotations_and_labels_go_to_service_and_template_but_autoscaling_annotations_only_to_the_template()
    {
        var s = Create(new TemplateEdits
        {
            Image = "i",
            Annotations = ["team=web", "autoscaling.knative.dev/window=30s"],
            Labels = ["app=echo"],
        });

        Assert.Equal(new Dictionary<string, string> { ["team"] = "web" }, s.Metadata.Annotations);
        Assert.Equal("web", s.Spec.Template.Metadata!.Annotations!["team"]);
        Assert.Equal("30s", s.Spec.Template.Metadata.Annotations["autoscaling.knative.dev/window"]);
        Assert.Equal("echo", s.Metadata.Labels!["app"]);
        Assert.Equal("echo", s.Spec.Template.Metadata.Labels!["app"]);
    }

    [Fact]
    public void Limits_and_requests_take_comma_lists_and_repeated_flags()
    {
        var s = Create(new TemplateEdits { Image = "i", Limits = ["cpu=500m,memory=256Mi"], Requests = ["cpu=100m", "memory=64Mi"] });

        var r = s.Spec.Template.Spec.Containers[0].Resources!;
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "500m", ["memory"] = "256Mi" }, r.Limits);
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "100m", ["memory"] = "64Mi" }, r.Requests);
    }

    [Fact]
    public void Cmd_arg_and_working_dir_set_the_container_entrypoint()
    {
        var s = Create(new TemplateEdits { Image = "i", Cmd = ["sh", "-c"], Args = ["echo hi"], WorkingDir = "/app" });

        var c = s.Spec.Template.Spec.Containers[0];
        Assert.Equal(["sh", "-c"], c.Command!);
        Assert.Equal(["echo hi"], c.Args!);
        Assert.Equal("/app", c.WorkingDir);
    }

    [Fact]
    public void Revision_name_sets_template_metadata_name_literally()
    {
        var s = Create(new TemplateEdits { Image = "i", RevisionName = "echo-blue" });
        Assert.Equal("echo-blue", s.Spec.Template.Metadata!.Name);
    }

    [Theory]
    [InlineData("blue")]
    [InlineData("echo")]
    [InlineData("echo-")]
    [InlineData("echoes-1")]
    public void Revision_name_must_start_with_the_service_name_and_a_dash(string name)
    {
        var e = Assert.Throws<CliException>(() => Create(new TemplateEdits { Image = "i", RevisionName = name }));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("must start with 'echo-'", e.Message);
    }

    [Fact]
    public void Update_env_replaces_in_place_removes_with_a_dash_and_appends_new_ones()
    {
        var s = Existing();
        TemplateEditor.Apply(s, new TemplateEdits { Env = ["B=two", "A-", "D=4"] });

        Assert.Equal([("B", "two"), ("C", "3"), ("D", "4")], s.Spec.Template.Spec.Containers[0].Env!.Select(e => (e.Name, e.Value!)));
    }

    [Fact]
    public void Removing_the_last_env_var_leaves_no_env_list()
    {
        var s = Create(new TemplateEdits { Image = "i", Env = ["A=1"] });
        TemplateEditor.Apply(s, new TemplateEdits { Env = ["A-"] });
        Assert.Null(s.Spec.Template.Spec.Containers[0].Env);
    }

    [Fact]
    public void Update_changes_only_the_flags_given()
    {
        var s = Existing();
        TemplateEditor.Apply(s, new TemplateEdits { Image = "echo:v2" });

        var c = s.Spec.Template.Spec.Containers[0];
        Assert.Equal("echo:v2", c.Image);
        Assert.Equal(3, c.Env!.Count);
        Assert.Equal("1", c.Resources!.Limits!["cpu"]);
        Assert.Equal("web", s.Metadata.Annotations!["team"]);
    }

    [Fact]
    public void Annotation_with_a_trailing_dash_removes_it_from_service_and_template()
    {
        var s = Existing();
        TemplateEditor.Apply(s, new TemplateEdits { Annotations = ["team-"] });

        Assert.Null(s.Metadata.Annotations);
        Assert.Null(s.Spec.Template.Metadata?.Annotations);
    }

    [Fact]
    public void Limit_with_a_trailing_dash_removes_it()
    {
        var s = Existing();
        TemplateEditor.Apply(s, new TemplateEdits { Limits = ["cpu-"] });
        Assert.Null(s.Spec.Template.Spec.Containers[0].Resources);
    }

    [Fact]
    public void Changing_the_template_clears_an_old_custom_revision_name()
    {
        var s = Existing();
        TemplateEditor.Apply(s, new TemplateEdits { Env = ["A=9"] });
        Assert.Null(s.Spec.Template.Metadata?.Name);
    }

    [Fact]
    public void Changing_the_template_with_a_revision_name_uses_the_new_name()
    {
        var s = Existing();
        TemplateEditor.Apply(s, new TemplateEdits { Env = ["A=9"], RevisionName = "echo-second" });
        Assert.Equal("echo-second", s.Spec.Template.Metadata!.Name);
    }

    [Fact]
    public void No_template_flags_keep_the_custom_revision_name()
    {
        var s = Existing();
        TemplateEditor.Apply(s, new TemplateEdits());
        Assert.Equal("echo-first", s.Spec.Template.Metadata!.Name);
    }

    [Theory]
    [InlineData("h2c:8080", "h2c", 8080)]
    [InlineData("http1:9000", "http1", 9000)]
    public void Port_may_name_the_protocol_as_kn_does(string value, string name, int port)
    {
        var p = Create(new TemplateEdits { Image = "i", Port = value }).Spec.Template.Spec.Containers[0].Ports![0];
        Assert.Equal(name, p.Name);
        Assert.Equal(port, p.ContainerPort);
    }

    private static readonly Dictionary<string, (TemplateEdits Edits, string Expected)> Bad = new()
    {
        ["env without ="] = (new TemplateEdits { Image = "i", Env = ["NOVALUE"] }, "--env: 'NOVALUE' must be KEY=VALUE"),
        ["env with empty key"] = (new TemplateEdits { Image = "i", Env = ["=x"] }, "--env: '=x' must be KEY=VALUE"),
        ["annotation garbage"] = (new TemplateEdits { Image = "i", Annotations = ["x"] }, "--annotation"),
        ["port not a number"] = (new TemplateEdits { Image = "i", Port = "http" }, "--port"),
        ["port out of range"] = (new TemplateEdits { Image = "i", Port = "70000" }, "--port"),
        ["port unknown protocol"] = (new TemplateEdits { Image = "i", Port = "grpc:80" }, "--port"),
        ["negative min scale"] = (new TemplateEdits { Image = "i", ScaleMin = -1 }, "--scale-min"),
        ["min above max"] = (new TemplateEdits { Image = "i", ScaleMin = 5, ScaleMax = 2 }, "--scale-min 5 is above --scale-max 2"),
        ["negative concurrency limit"] = (new TemplateEdits { Image = "i", ConcurrencyLimit = -1 }, "--concurrency-limit"),
        ["zero concurrency target"] = (new TemplateEdits { Image = "i", ConcurrencyTarget = 0 }, "--concurrency-target"),
        ["limit without ="] = (new TemplateEdits { Image = "i", Limits = ["cpu"] }, "--limit: 'cpu'"),
    };

    public static TheoryData<string> BadFlags => [.. Bad.Keys];

    [Theory]
    [MemberData(nameof(BadFlags))]
    public void Malformed_flags_are_usage_errors_naming_the_flag(string name)
    {
        var (edits, expected) = Bad[name];
        var e = Assert.Throws<CliException>(() => Create(edits));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_bad_flag_changes_nothing()
    {
        var s = Existing();
        var before = Kinlet.Core.Json.KinletJson.Serialize(s);
        Assert.Throws<CliException>(() => TemplateEditor.Apply(s, new TemplateEdits { Image = "new", Env = ["broken"] }));
        Assert.Equal(before, Kinlet.Core.Json.KinletJson.Serialize(s));
    }
}
