using System.Text.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Core.Tests.Manifests;

public class ManifestReaderTests
{
    [Fact]
    public void Reads_every_document_of_a_multi_document_file_and_skips_empty_ones()
    {
        var yaml = TestManifests.Hello + "\n---\n# just a comment\n---\n" + TestManifests.ExecProbe + "\n---\n";

        var resources = ManifestReader.Read(yaml);

        Assert.Equal(["hello", "worker"], resources.Select(r => r.Name));
        Assert.All(resources, r => Assert.Equal(("serving.knative.dev/v1", "Service"), (r.ApiVersion, r.Kind)));
        Assert.Equal(1, resources[0].Line);
        Assert.True(resources[1].Line > 10);
        Assert.Equal("Service/hello", resources[0].Describe());
    }

    [Fact]
    public void Reads_the_items_of_a_kind_List()
    {
        var yaml = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: serving.knative.dev/v1
                kind: Service
                metadata: {name: one, namespace: team-a}
                spec: {template: {spec: {containers: [{image: a}]}}}
              - apiVersion: serving.knative.dev/v1
                kind: Service
                metadata: {name: two}
                spec: {template: {spec: {containers: [{image: b}]}}}
            """;

        var resources = ManifestReader.Read(yaml);

        Assert.Equal(["one", "two"], resources.Select(r => r.Name));
        Assert.Equal("team-a", resources[0].Namespace);
        Assert.Null(resources[1].Namespace);
    }

    [Fact]
    public void Reads_a_json_body_as_a_manifest()
    {
        var json = """{"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"hello"},"spec":{"template":{"spec":{"containerConcurrency":1,"containers":[{"image":"kinlet-hello","env":[{"name":"TARGET","value":"you"}]}]}}}}""";

        var fromRead = ManifestReader.Bind<Service>(ManifestReader.Read(json).Single().Body);
        var fromString = ManifestReader.Bind<Service>(json);

        foreach (var bound in new[] { fromRead, fromString })
        {
            Assert.Empty(bound.Warnings);
            Assert.Equal("hello", bound.Value.Metadata.Name);
            Assert.Equal(1, bound.Value.Spec.Template.Spec.ContainerConcurrency);
            Assert.Equal("you", bound.Value.Spec.Template.Spec.Containers[0].Env![0].Value);
        }
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    [InlineData("on")]
    [InlineData("off")]
    [InlineData("y")]
    public void Yaml_1_1_booleans_stay_strings(string word)
    {
        var node = YamlJson.ParseDocuments($"value: {word}\n")[0].Node;

        Assert.Equal(JsonValueKind.String, node["value"]!.GetValueKind());
        Assert.Equal(word, node["value"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("8080", JsonValueKind.Number)]
    [InlineData("\"8080\"", JsonValueKind.String)]
    [InlineData("'8080'", JsonValueKind.String)]
    [InlineData("!!str 8080", JsonValueKind.String)]
    [InlineData("-5", JsonValueKind.Number)]
    [InlineData("1.5", JsonValueKind.Number)]
    [InlineData("1e3", JsonValueKind.Number)]
    [InlineData("true", JsonValueKind.True)]
    [InlineData("False", JsonValueKind.False)]
    [InlineData("null", JsonValueKind.Null)]
    [InlineData("~", JsonValueKind.Null)]
    [InlineData("0x1F", JsonValueKind.String)]
    [InlineData("1.2.3", JsonValueKind.String)]
    public void Plain_scalars_are_typed_by_the_yaml_1_2_core_schema(string scalar, JsonValueKind kind)
    {
        var node = YamlJson.ParseDocuments($"value: {scalar}\n")[0].Node;

        Assert.Equal(kind, node["value"]?.GetValueKind() ?? JsonValueKind.Null);
    }

    [Fact]
    public void Unquoted_port_binds_as_a_number_and_quoted_env_value_as_a_string()
    {
        var service = TestManifests.Parse(TestManifests.Service(
            container: "{image: a, ports: [{containerPort: 8080}], env: [{name: A, value: \"8080\"}, {name: B, value: 1.50}, {name: C, value: true}]}"));

        var container = service.Spec.Template.Spec.Containers[0];
        Assert.Equal(8080, container.Ports![0].ContainerPort);
        // A string field keeps exactly what the user wrote, quoted or not.
        Assert.Equal(["8080", "1.50", "true"], container.Env!.Select(e => e.Value));
    }

    [Fact]
    public void A_number_with_leading_zeros_keeps_its_text_in_strings_and_its_value_in_numbers()
    {
        var service = TestManifests.Parse(TestManifests.Service(
            container: "{image: a, ports: [{containerPort: 08080}], env: [{name: ZIP, value: 01234}, {name: F, value: 007.5}]}"));

        var container = service.Spec.Template.Spec.Containers[0];
        Assert.Equal(8080, container.Ports![0].ContainerPort);
        Assert.Equal(["01234", "007.5"], container.Env!.Select(e => e.Value));
    }

    [Theory]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("a: 1\n'a': 2\n")]
    [InlineData("metadata:\n  name: x\n  name: y\n")]
    public void Rejects_duplicate_keys(string yaml)
    {
        var e = Assert.Throws<ManifestException>(() => YamlJson.ParseDocuments(yaml));

        Assert.Contains("Duplicate key", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(e.Line >= 2);
    }

    [Fact]
    public void Rejects_duplicate_keys_in_a_json_body()
    {
        var e = Assert.Throws<ValidationException>(() => ManifestReader.Bind<Service>("""{"kind":"Service","kind":"Route"}"""));

        Assert.Contains("Duplicate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Applies_yaml_merge_keys_as_kubectl_does()
    {
        var yaml = """
            defaults: &defaults {image: ghcr.io/acme/base:1.0, workingDir: /app}
            probe: &probe {periodSeconds: 5}
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata: {name: hello}
            spec:
              template:
                spec:
                  containers:
                    - <<: *defaults
                      image: ghcr.io/acme/hello:2.0
                      readinessProbe: {<<: [*probe, {periodSeconds: 9, timeoutSeconds: 2}]}
            """;

        var node = ManifestReader.Read(yaml).Single().Body;
        var container = ManifestReader.Bind<Service>(node).Value.Spec.Template.Spec.Containers[0];

        Assert.Equal("ghcr.io/acme/hello:2.0", container.Image); // the mapping's own key wins
        Assert.Equal("/app", container.WorkingDir);
        Assert.Equal((5, 2), (container.ReadinessProbe!.PeriodSeconds, container.ReadinessProbe.TimeoutSeconds)); // earlier merge wins
    }

    [Fact]
    public void A_quoted_merge_key_is_an_ordinary_key()
    {
        var node = YamlJson.ParseDocuments("a: {'<<': 1}\n")[0].Node;

        Assert.Equal(1, node["a"]!["<<"]!.GetValue<int>());
    }

    [Fact]
    public void Rejects_merging_a_scalar()
    {
        Assert.Throws<ManifestException>(() => YamlJson.ParseDocuments("a: {<<: 1}\n"));
    }

    [Fact]
    public void Rejects_an_alias_bomb_instead_of_expanding_it()
    {
        var yaml = new System.Text.StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++)
            yaml.Append($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");

        var e = Assert.Throws<ManifestException>(() => YamlJson.ParseDocuments(yaml.ToString()));

        Assert.Contains("expands to more than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_merge_key_bomb_instead_of_walking_it()
    {
        var yaml = new System.Text.StringBuilder("l0: &l0 {a: 1, b: 2}\n");
        for (var i = 1; i < 10; i++)
            yaml.Append($"l{i}: &l{i} {{<<: [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]}}\n");

        var e = Assert.Throws<ManifestException>(() => YamlJson.ParseDocuments(yaml.ToString()));

        Assert.Contains("expands to more than", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: &x {b: *x}\n")]
    [InlineData("a: &x {<<: *x}\n")]
    public void Rejects_a_self_referencing_anchor(string yaml)
    {
        Assert.Throws<ManifestException>(() => YamlJson.ParseDocuments(yaml));
    }

    [Fact]
    public void Rejects_nesting_deeper_than_64_levels()
    {
        Assert.Single(YamlJson.ParseDocuments(new string('[', 64) + new string(']', 64)));

        var e = Assert.Throws<ManifestException>(() => YamlJson.ParseDocuments(new string('[', 5000) + new string(']', 5000)));

        Assert.Contains("nested more than 64 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_invalid_yaml_with_its_line()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestReader.Read("apiVersion: v1\nitems: [1, 2\n"));

        Assert.StartsWith("invalid YAML at line", e.Message, StringComparison.Ordinal);
        Assert.True(e.Line > 0);
    }

    [Fact]
    public void Rejects_a_document_that_is_not_a_mapping()
    {
        Assert.Throws<ManifestException>(() => ManifestReader.Read("- one\n- two\n"));
    }

    [Theory]
    [InlineData("apiVersion: serving.knative.dev/v1\nmetadata: {name: x}\n", "kind")]
    [InlineData("kind: Service\nmetadata: {name: x}\n", "apiVersion")]
    public void Requires_kind_and_api_version(string yaml, string field)
    {
        var e = Assert.Throws<ValidationException>(() => ManifestReader.Read(yaml));

        Assert.Equal(field, e.Field);
    }

    [Theory]
    [InlineData("spec: {template: {spec: {containerConcurrency: abc}}}", "spec.template.spec.containerConcurrency", "must be an integer")]
    [InlineData("spec: {template: {spec: {timeoutSeconds: 1.5}}}", "spec.template.spec.timeoutSeconds", "must be an integer")]
    [InlineData("spec: {template: {spec: {containers: {image: a}}}}", "spec.template.spec.containers", "must be a list")]
    [InlineData("spec: {template: {spec: {containers: [{image: [a]}]}}}", "spec.template.spec.containers[0].image", "must be a string")]
    [InlineData("spec: {template: {spec: {enableServiceLinks: maybe}}}", "spec.template.spec.enableServiceLinks", "must be true or false")]
    [InlineData("spec: {template: {spec: {containers: [{ports: [{containerPort: http}]}]}}}", "spec.template.spec.containers[0].ports[0].containerPort", "must be an integer")]
    [InlineData("spec: {template: {spec: {containers: [{readinessProbe: {httpGet: {port: 1.5}}}]}}}", "spec.template.spec.containers[0].readinessProbe.httpGet.port", "must be a port number or name")]
    [InlineData("metadata: {creationTimestamp: yesterday}", "metadata.creationTimestamp", "must be a RFC 3339 time")]
    [InlineData("metadata: {labels: [a, b]}", "metadata.labels", "must be a mapping of strings")]
    [InlineData("spec: {traffic: [{percent: lots}]}", "spec.traffic[0].percent", "must be an integer")]
    public void A_type_error_names_the_field_and_the_expected_type(string body, string field, string message)
    {
        var yaml = "apiVersion: serving.knative.dev/v1\nkind: Service\n" + body + "\n";

        var e = Assert.Throws<ValidationException>(() => ManifestReader.Bind<Service>(ManifestReader.Read(yaml).Single().Body));

        Assert.Equal(field, e.Field);
        Assert.Equal(message, e.Errors[0].Message);
    }

    [Fact]
    public void Unknown_fields_are_ignored_with_a_warning_naming_their_path()
    {
        var yaml = """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: hello
              finalizers: [a]
            spec:
              template:
                spec:
                  priorityClassName: high
                  containers:
                    - image: a
                      volumeMounts:
                        - name: data
                          mountPath: /data
                      readinessProbe:
                        grpc: {port: 9000}
            status:
              url: http://hello.example.com
            """;

        var bound = TestManifests.Bind(yaml);

        Assert.Equal(
        [
            "metadata.finalizers: not supported by Kinlet, ignored",
            "spec.template.spec.priorityClassName: not supported by Kinlet, ignored",
            "spec.template.spec.containers[0].readinessProbe.grpc: not supported by Kinlet, ignored",
        ], bound.Warnings);
        Assert.Equal("a", bound.Value.Spec.Template.Spec.Containers[0].Image);
    }

    [Theory]
    [InlineData(TestManifests.Hello)]
    [InlineData(TestManifests.Full)]
    [InlineData(TestManifests.ExecProbe)]
    [InlineData(TestManifests.LocalImage)]
    public void Realistic_manifests_bind_without_warnings(string yaml)
    {
        Assert.Empty(TestManifests.Bind(yaml).Warnings);
    }

    [Fact]
    public void Probe_ports_bind_as_numbers_or_names()
    {
        var service = TestManifests.Parse(TestManifests.Full);

        var c = service.Spec.Template.Spec.Containers[0];
        Assert.Equal(IntOrString.FromString("h2c"), c.ReadinessProbe!.HttpGet!.Port);
        Assert.Equal(IntOrString.FromInt(9000), c.LivenessProbe!.TcpSocket!.Port);
    }
}
