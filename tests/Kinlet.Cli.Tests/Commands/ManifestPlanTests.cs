using Kinlet.Cli.Commands.Apply;
using Kinlet.Cli.Editing;
using Kinlet.Core.Manifests;

namespace Kinlet.Cli.Tests.Commands;

public class ManifestPlanTests
{
    private const string Hello = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: hello
        spec:
          template:
            spec:
              containers:
                - image: hello:1
        """;

    private static IReadOnlyList<PlannedService> Build(string text, string name = "svc.yaml") =>
        ManifestPlan.Build([new ManifestSource(name, text)], "default").Services;

    [Fact]
    public void Fills_in_the_namespace_from_the_command_line()
    {
        var p = Assert.Single(Build(Hello));
        Assert.Equal("default", p.Namespace);
        Assert.Equal("hello", p.Name);
        Assert.Equal("default", p.Body["metadata"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public void Keeps_the_namespace_of_the_manifest()
    {
        var p = Assert.Single(Build(Hello.Replace("name: hello", "name: hello\n  namespace: prod", StringComparison.Ordinal)));
        Assert.Equal("prod", p.Namespace);
    }

    [Fact]
    public void Reads_multi_document_files_and_lists()
    {
        var list = """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"image":"a"}]}}}},
              {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"b"},"spec":{"template":{"spec":{"containers":[{"image":"b"}]}}}}]}
            """;
        Assert.Equal(["hello", "a", "b"], ManifestPlan.Build([new("one.yaml", Hello), new("two.json", list)], "default").Services.Select(p => p.Name));
    }

    [Fact]
    public void Status_is_not_sent_back()
    {
        var p = Assert.Single(Build(Hello + "\nstatus:\n  url: http://old\n"));
        Assert.False(p.Body.ContainsKey("status"));
    }

    [Fact]
    public void Unsupported_kinds_are_all_listed_and_nothing_is_planned()
    {
        var text = Hello + """

            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: settings
            ---
            apiVersion: serving.knative.dev/v1beta1
            kind: Service
            metadata:
              name: old
            """;
        var e = Assert.Throws<CliException>(() => Build(text));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.StartsWith("kind Pod (v1) is not supported: kinlet applies serving.knative.dev/v1 Service, v1 ConfigMap, eventing.knative.dev/v1 Broker and Trigger, sources.knative.dev/v1 PingSource, networking.istio.io/v1 (v1beta1, v1alpha3) VirtualService and DestinationRule (svc.yaml:", e.Message);
        Assert.EndsWith("kind Service (serving.knative.dev/v1beta1) is not supported: kinlet applies serving.knative.dev/v1 Service, v1 ConfigMap, eventing.knative.dev/v1 Broker and Trigger, sources.knative.dev/v1 PingSource, networking.istio.io/v1 (v1beta1, v1alpha3) VirtualService and DestinationRule (svc.yaml:16)", Assert.Single(e.Details));
    }

    [Fact]
    public void A_config_map_is_planned_under_the_core_path_before_brokers_and_services()
    {
        var text = Hello + """

            ---
            apiVersion: eventing.knative.dev/v1
            kind: Broker
            metadata:
              name: default
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              LOG_LEVEL: debug
            """;
        var plan = ManifestPlan.Build([new ManifestSource("svc.yaml", text)], "default");
        Assert.Equal(["ConfigMap", "Broker"], plan.Resources.Select(r => r.Kind));
        Assert.Equal("/api/v1/namespaces/default/configmaps/settings", plan.Resources[0].ItemPath);
    }

    private const string Eventing = """
        apiVersion: sources.knative.dev/v1
        kind: PingSource
        metadata:
          name: heartbeat
        spec:
          schedule: "*/1 * * * *"
          data: '{"beat":true}'
          sink:
            ref:
              apiVersion: eventing.knative.dev/v1
              kind: Broker
              name: default
        ---
        apiVersion: eventing.knative.dev/v1
        kind: Trigger
        metadata:
          name: orders
          namespace: shop
        spec:
          broker: default
          filter:
            attributes:
              type: com.example.order.created
          subscriber:
            ref:
              apiVersion: serving.knative.dev/v1
              kind: Service
              name: order-processor
        ---
        apiVersion: eventing.knative.dev/v1
        kind: Broker
        metadata:
          name: default
          status: {}
        """;

    [Fact]
    public void Eventing_kinds_are_planned_brokers_first_then_triggers_then_sources()
    {
        var plan = ManifestPlan.Build([new ManifestSource("eventing.yaml", Eventing + "\n---\n" + Hello)], "default");
        Assert.Equal(["hello"], plan.Services.Select(s => s.Name));
        Assert.Equal(["Broker", "Trigger", "PingSource"], plan.Resources.Select(r => r.Kind));
        var trigger = plan.Resources[1];
        Assert.Equal("shop", trigger.Namespace);
        Assert.Equal("/apis/eventing.knative.dev/v1/namespaces/shop/triggers", trigger.CollectionPath);
        Assert.Equal("/apis/eventing.knative.dev/v1/namespaces/shop/triggers/orders", trigger.ItemPath);
        Assert.Equal("/apis/sources.knative.dev/v1/namespaces/default/pingsources/heartbeat", plan.Resources[2].ItemPath);
        Assert.Equal("default", plan.Resources[0].Body["metadata"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public void Bad_eventing_resources_name_their_fields()
    {
        var text = """
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: Bad_Name
            spec:
              subscriber:
                uri: not-a-url
            """;
        var e = Assert.Throws<CliException>(() => ManifestPlan.Build([new ManifestSource("t.yaml", text)], "default"));
        var all = string.Join("\n", [e.Message, .. e.Details]);
        Assert.Contains("metadata.name", all);
        Assert.Contains("spec.broker", all);
        Assert.Contains("spec.subscriber.uri", all);
    }

    [Fact]
    public void A_wrong_type_names_the_file_line_and_field()
    {
        var bad = Hello.Replace("- image: hello:1", "- image: [not, a, string]", StringComparison.Ordinal);
        var e = Assert.Throws<CliException>(() => Build(bad));
        Assert.Equal("svc.yaml:1: Service/hello: spec.template.spec.containers[0].image: must be a string", e.Message);
    }

    [Fact]
    public void A_service_the_validator_rejects_is_not_planned_and_every_error_is_listed()
    {
        var bad = Hello.Replace("- image: hello:1", "- env: [{name: A, value: \"1\"}]", StringComparison.Ordinal)
                  + "\n  traffic:\n    - latestRevision: true\n      percent: 50\n";
        var e = Assert.Throws<CliException>(() => Build(bad));
        var all = new[] { e.Message }.Concat(e.Details).ToList();
        Assert.Contains(all, l => l.Contains("svc.yaml:1: Service/hello: spec.template.spec.containers[0].image:", StringComparison.Ordinal));
        Assert.Contains(all, l => l.Contains("spec.traffic", StringComparison.Ordinal));
    }

    [Fact]
    public void Limits_the_daemon_may_raise_are_left_to_the_daemon()
    {
        var big = Hello.Replace("    spec:\n      containers:", "    spec:\n      timeoutSeconds: 3600\n      containerConcurrency: 5000\n      containers:", StringComparison.Ordinal);
        Assert.Single(Build(big));
    }

    [Fact]
    public void Invalid_yaml_names_the_file_and_line()
    {
        var e = Assert.Throws<CliException>(() => Build("apiVersion: v1\nkind: [unclosed\n"));
        Assert.StartsWith("svc.yaml: invalid YAML at line", e.Message);
    }

    [Fact]
    public void A_service_without_a_name_is_rejected()
    {
        var e = Assert.Throws<CliException>(() => Build(Hello.Replace("  name: hello\n", "  labels: {}\n", StringComparison.Ordinal)));
        Assert.Contains("metadata.name: required", e.Message);
    }

    [Fact]
    public void The_same_service_twice_is_rejected()
    {
        var e = Assert.Throws<CliException>(() => ManifestPlan.Build([new("a.yaml", Hello), new("b.yaml", Hello)], "default"));
        Assert.Contains("Service hello is also in a.yaml:1", e.Message);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var e = Assert.Throws<CliException>(() => Build("# nothing\n"));
        Assert.Equal("no resources found in svc.yaml", e.Message);
    }
}

public class SpecComparerTests
{
    private static Kinlet.Core.Model.Service Read(string yaml) =>
        ManifestReader.Bind<Kinlet.Core.Model.Service>(ManifestReader.Read(yaml)[0].Body).Value;

    private const string Base = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: hello
          annotations: {team: web}
        spec:
          template:
            metadata:
              annotations:
                autoscaling.knative.dev/min-scale: "1"
            spec:
              containers:
                - image: hello:1
                  env: [{name: A, value: "1"}]
        """;

    [Fact]
    public void Key_order_nulls_and_server_fields_do_not_count()
    {
        var stored = Read(Base);
        stored.Metadata.Uid = "abc";
        stored.Metadata.Generation = 4;
        stored.Metadata.Annotations!["serving.knative.dev/creator"] = "kinlet";
        stored.Status = new Kinlet.Core.Model.ServiceStatus { Url = "http://hello.localhost:8080" };
        var desired = Read("""
            kind: Service
            apiVersion: serving.knative.dev/v1
            spec:
              template:
                spec:
                  containers:
                    - env: [{value: "1", name: A}]
                      image: hello:1
                metadata:
                  annotations: {autoscaling.knative.dev/min-scale: 1}
            metadata:
              annotations: {team: web}
              name: hello
            """);
        Assert.True(SpecComparer.SameDesiredState(stored, desired));
    }

    [Fact]
    public void What_the_daemon_filled_in_as_knative_defaults_does_not_count()
    {
        var stored = Read(Base);
        var spec = stored.Spec.Template.Spec;
        spec.TimeoutSeconds = 300;
        spec.ContainerConcurrency = 0;
        spec.Containers[0].Name = "user-container";
        spec.Containers[0].Ports = [new Kinlet.Core.Model.ContainerPortSpec { ContainerPort = 8080 }];
        stored.Spec.Traffic = [new Kinlet.Core.Model.TrafficTarget { LatestRevision = true, Percent = 100 }];
        Assert.True(SpecComparer.SameDesiredState(stored, Read(Base)));
    }

    [Theory]
    [InlineData("hello:1", "hello:2")]
    [InlineData("team: web", "team: ops")]
    [InlineData("value: \"1\"", "value: \"2\"")]
    public void Any_user_owned_difference_counts(string from, string to)
    {
        Assert.False(SpecComparer.SameDesiredState(Read(Base), Read(Base.Replace(from, to, StringComparison.Ordinal))));
    }
}
