using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using static Kinlet.Core.Tests.TestManifests;
using static Kinlet.Core.Tests.Validation.ValidationAssert;

namespace Kinlet.Core.Tests.Validation;

public class ServiceValidatorTests
{
    private const string C0 = "spec.template.spec.containers[0]";

    [Theory]
    [InlineData(Hello)]
    [InlineData(Full)]
    [InlineData(ExecProbe)]
    [InlineData(LocalImage)]
    public void Accepts_realistic_services(string yaml) => Accepts(yaml);

    [Fact]
    public void Accepts_the_smallest_service() => Accepts(Service());

    // --- type and metadata

    [Fact]
    public void Rejects_another_api_version() =>
        Rejects(Service().Replace("serving.knative.dev/v1", "serving.knative.dev/v1alpha1", StringComparison.Ordinal), "apiVersion", "serving.knative.dev/v1");

    [Fact]
    public void Rejects_another_kind() =>
        Rejects(Service().Replace("kind: Service", "kind: Configuration", StringComparison.Ordinal), "kind", "must be \"Service\"");

    [Fact]
    public void Requires_a_name() => Rejects(Service(metadata: "namespace: default"), "metadata.name", "required");

    [Fact]
    public void Requires_metadata() => Rejects(Service().Replace("metadata: {name: hello}", "metadata: null", StringComparison.Ordinal), "metadata.name", "required");

    [Theory]
    [InlineData("Hello")]
    [InlineData("1hello")]
    [InlineData("hello_world")]
    [InlineData("hello-")]
    [InlineData("-hello")]
    [InlineData("hello.world")]
    public void Rejects_a_name_that_is_not_a_dns_1035_label(string name) =>
        Rejects(Service(metadata: $"name: '{name}'"), "metadata.name", "DNS-1035");

    [Fact]
    public void Rejects_a_name_longer_than_57_characters_because_revision_names_must_fit_63() =>
        Rejects(Service(metadata: "name: " + new string('a', 58)), "metadata.name", "at most 57");

    [Fact]
    public void Accepts_a_name_of_57_characters() => Accepts(Service(metadata: "name: " + new string('a', 57)));

    [Theory]
    [InlineData("Staging")]
    [InlineData("team_a")]
    [InlineData("-a")]
    public void Rejects_a_namespace_that_is_not_a_dns_1123_label(string ns) =>
        Rejects(Service(metadata: $"name: hello, namespace: '{ns}'"), "metadata.namespace", "DNS-1123");

    [Fact]
    public void Accepts_a_namespace_starting_with_a_digit() => Accepts(Service(metadata: "name: hello, namespace: 1team"));

    [Fact]
    public void Rejects_a_label_key_that_is_not_a_qualified_name() =>
        Rejects(Service(metadata: "name: hello, labels: {'bad key': x}"), "metadata.labels.bad key", "key must be a qualified name");

    [Fact]
    public void Rejects_a_label_key_with_an_invalid_prefix() =>
        Rejects(Service(metadata: "name: hello, labels: {'Example.com/app': x}"), "metadata.labels.Example.com/app", "prefix");

    [Fact]
    public void Rejects_a_label_value_over_63_characters() =>
        Rejects(Service(metadata: $"name: hello, labels: {{app: {new string('x', 64)}}}"), "metadata.labels.app", "at most 63");

    [Fact]
    public void Rejects_a_label_value_with_spaces() =>
        Rejects(Service(metadata: "name: hello, labels: {app: 'my app'}"), "metadata.labels.app", "label value");

    [Fact]
    public void Rejects_an_annotation_key_that_is_not_a_qualified_name() =>
        Rejects(Service(metadata: "name: hello, annotations: {'a/b/c': x}"), "metadata.annotations.a/b/c", "key");

    [Fact]
    public void Accepts_long_annotation_values_and_empty_label_values() =>
        Accepts(Service(metadata: $"name: hello, labels: {{flag: ''}}, annotations: {{example.com/doc: {new string('x', 500)}}}"));

    [Fact]
    public void Rejects_template_labels_like_service_labels() =>
        Rejects(Service(templateMetadata: "{labels: {'-x': y}}"), "spec.template.metadata.labels.-x", "key");

    // --- custom revision names

    [Fact]
    public void Accepts_a_custom_revision_name_with_the_service_prefix() => Accepts(Service(templateMetadata: "{name: hello-blue}"));

    [Fact]
    public void Rejects_a_custom_revision_name_without_the_service_prefix() =>
        Rejects(Service(templateMetadata: "{name: blue}"), "spec.template.metadata.name", "must start with \"hello-\"");

    [Fact]
    public void Rejects_a_custom_revision_name_that_is_only_the_prefix() =>
        Rejects(Service(templateMetadata: "{name: hello-}"), "spec.template.metadata.name");

    [Fact]
    public void Rejects_a_custom_revision_name_that_is_not_a_dns_label() =>
        Rejects(Service(templateMetadata: "{name: hello-Blue}"), "spec.template.metadata.name", "DNS-1123");

    [Fact]
    public void Rejects_a_custom_revision_name_over_63_characters() =>
        Rejects(Service(templateMetadata: "{name: hello-" + new string('a', 58) + "}"), "spec.template.metadata.name", "at most 63");

    // --- containers

    [Fact]
    public void Requires_a_container() =>
        Rejects(Service().Replace("containers: [{image: ghcr.io/acme/hello:1.0}]", "containers: []", StringComparison.Ordinal),
            "spec.template.spec.containers", "required");

    [Fact]
    public void Requires_a_template_spec() =>
        Rejects(Service().Replace("spec: {containers: [{image: ghcr.io/acme/hello:1.0}]}", "spec: null", StringComparison.Ordinal),
            "spec.template.spec", "required");

    [Fact]
    public void Rejects_two_containers_when_none_declares_ports() =>
        Rejects(Service(extraContainer: "{image: ghcr.io/acme/sidecar:1.0}"), "spec.template.spec.containers", "exactly one container must declare ports");

    [Fact]
    public void Rejects_a_null_container() => Rejects(Service(container: "null"), C0, "required");

    [Fact]
    public void Requires_an_image() => Rejects(Service(container: "{name: app}"), C0 + ".image", "required");

    [Theory]
    [InlineData("'ghcr.io/acme/hello world'", "spaces")]
    [InlineData("ghcr.io/Acme/Hello", "lowercase")]
    [InlineData("MyImage", "lowercase")]
    [InlineData("ghcr.io/acme/hello:", "image reference")]
    [InlineData("'ghcr.io/acme/hello@sha256:abc'", "image reference")]
    [InlineData("'hello:tag:again'", "image reference")]
    [InlineData("'/hello'", "image reference")]
    public void Rejects_an_invalid_image_reference(string image, string message) =>
        Rejects(Service(container: $"{{image: {image}}}"), C0 + ".image", message);

    [Fact]
    public void Rejects_an_invalid_container_name() => Rejects(Service(container: "{name: User_Container, image: a}"), C0 + ".name", "DNS-1123");

    [Fact]
    public void Rejects_the_reserved_container_name() => Rejects(Service(container: "{name: queue-proxy, image: a}"), C0 + ".name", "reserved");

    [Fact]
    public void Rejects_a_relative_working_dir() => Rejects(Service(container: "{image: a, workingDir: app}"), C0 + ".workingDir", "absolute");

    [Fact]
    public void Rejects_an_unknown_image_pull_policy() => Rejects(Service(container: "{image: a, imagePullPolicy: Sometimes}"), C0 + ".imagePullPolicy");

    // --- ports

    [Fact]
    public void Rejects_two_ports() =>
        Rejects(Service(container: "{image: a, ports: [{containerPort: 8080}, {containerPort: 8081}]}"), C0 + ".ports", "at most one port");

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Rejects_a_port_out_of_range(int port) =>
        Rejects(Service(container: $"{{image: a, ports: [{{containerPort: {port}}}]}}"), C0 + ".ports[0].containerPort", "must be between 1 and 65535");

    [Theory]
    [InlineData(8008)]
    [InlineData(8012)]
    [InlineData(8013)]
    [InlineData(8022)]
    [InlineData(9090)]
    [InlineData(9091)]
    public void Rejects_the_ports_knative_reserves(int port) =>
        Rejects(Service(container: $"{{image: a, ports: [{{containerPort: {port}}}]}}"), C0 + ".ports[0].containerPort", $"{port} is a reserved port");

    [Theory]
    [InlineData("http1")]
    [InlineData("h2c")]
    public void Accepts_the_knative_port_names(string name) =>
        Accepts(Service(container: $"{{image: a, ports: [{{name: {name}, containerPort: 8080}}]}}"));

    [Fact]
    public void Rejects_another_port_name() =>
        Rejects(Service(container: "{image: a, ports: [{name: http, containerPort: 8080}]}"), C0 + ".ports[0].name", "\"http1\" or \"h2c\"");

    [Fact]
    public void Rejects_a_protocol_other_than_tcp() =>
        Rejects(Service(container: "{image: a, ports: [{containerPort: 8080, protocol: UDP}]}"), C0 + ".ports[0].protocol", "must be \"TCP\"");

    [Fact]
    public void Accepts_a_port_without_a_number() => Accepts(Service(container: "{image: a, ports: [{name: h2c}]}"));

    // --- env

    [Fact]
    public void Requires_an_env_name() => Rejects(Service(container: "{image: a, env: [{value: x}]}"), C0 + ".env[0].name", "required");

    [Theory]
    [InlineData("1ABC")]
    [InlineData("MY VAR")]
    [InlineData("A=B")]
    public void Rejects_an_invalid_env_name(string name) =>
        Rejects(Service(container: $"{{image: a, env: [{{name: '{name}', value: x}}]}}"), C0 + ".env[0].name", "must not start with a digit");

    [Theory]
    [InlineData("PORT")]
    [InlineData("K_SERVICE")]
    [InlineData("K_CONFIGURATION")]
    [InlineData("K_REVISION")]
    public void Rejects_the_env_vars_knative_sets(string name) =>
        Rejects(Service(container: $"{{image: a, env: [{{name: {name}, value: x}}]}}"), C0 + ".env[0].name", "reserved environment variable");

    [Fact]
    public void Rejects_duplicate_env_names() =>
        Rejects(Service(container: "{image: a, env: [{name: A, value: x}, {name: B, value: y}, {name: A, value: z}]}"), C0 + ".env[2].name", "duplicate name \"A\"");

    [Fact]
    public void Rejects_both_value_and_value_from() =>
        Rejects(Service(container: "{image: a, env: [{name: A, value: x, valueFrom: {secretKeyRef: {name: s, key: k}}}]}"),
            C0 + ".env[0].valueFrom", "together with value");

    [Fact]
    public void Rejects_value_from_without_a_source() =>
        Rejects(Service(container: "{image: a, env: [{name: A, valueFrom: {}}]}"), C0 + ".env[0].valueFrom", "exactly one of secretKeyRef, configMapKeyRef");

    [Fact]
    public void Rejects_value_from_with_two_sources() =>
        Rejects(Service(container: "{image: a, env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}, configMapKeyRef: {name: c, key: k}}}]}"),
            C0 + ".env[0].valueFrom", "exactly one of secretKeyRef, configMapKeyRef");

    [Fact]
    public void Requires_the_key_of_a_secret_ref() =>
        Rejects(Service(container: "{image: a, env: [{name: A, valueFrom: {secretKeyRef: {name: s}}}]}"), C0 + ".env[0].valueFrom.secretKeyRef.key", "required");

    [Fact]
    public void Requires_the_name_of_a_config_map_ref() =>
        Rejects(Service(container: "{image: a, env: [{name: A, valueFrom: {configMapKeyRef: {key: k}}}]}"), C0 + ".env[0].valueFrom.configMapKeyRef.name", "required");

    [Fact]
    public void Accepts_env_from_config_maps_and_secrets_with_prefix_and_optional() =>
        Accepts(Service(container: "{image: a, envFrom: [{configMapRef: {name: app}}, {prefix: DB_, secretRef: {name: db, optional: true}}]}"));

    [Fact]
    public void Rejects_env_from_without_a_source() =>
        Rejects(Service(container: "{image: a, envFrom: [{prefix: X_}]}"), C0 + ".envFrom[0]", "exactly one of configMapRef, secretRef");

    [Fact]
    public void Rejects_env_from_with_two_sources() =>
        Rejects(Service(container: "{image: a, envFrom: [{configMapRef: {name: a}, secretRef: {name: b}}]}"), C0 + ".envFrom[0]", "exactly one of configMapRef, secretRef");

    [Fact]
    public void Requires_the_name_of_an_env_from_source() =>
        Rejects(Service(container: "{image: a, envFrom: [{configMapRef: {optional: true}}]}"), C0 + ".envFrom[0].configMapRef.name", "required");

    [Fact]
    public void Rejects_an_env_from_prefix_that_is_no_env_name() =>
        Rejects(Service(container: "{image: a, envFrom: [{prefix: '1=', secretRef: {name: db}}]}"), C0 + ".envFrom[0].prefix", "letters, digits");

    [Fact]
    public void Accepts_an_env_var_with_an_empty_value() => Accepts(Service(container: "{image: a, env: [{name: EMPTY}, {name: ALSO, value: ''}]}"));

    // --- resources

    [Fact]
    public void Rejects_resources_other_than_cpu_and_memory() =>
        Rejects(Service(container: "{image: a, resources: {limits: {nvidia.com/gpu: '1'}}}"), C0 + ".resources.limits.nvidia.com/gpu", "only cpu and memory are supported");

    [Theory]
    [InlineData("limits", "cpu", "lots")]
    [InlineData("limits", "memory", "1GB")]
    [InlineData("requests", "cpu", "-1")]
    [InlineData("requests", "memory", "''")]
    public void Rejects_a_value_that_is_not_a_quantity(string kind, string resource, string value) =>
        Rejects(Service(container: $"{{image: a, resources: {{{kind}: {{{resource}: {value}}}}}}}"), $"{C0}.resources.{kind}.{resource}", "must be a quantity");

    [Fact]
    public void Rejects_a_memory_limit_below_dockers_minimum() =>
        Rejects(Service(container: "{image: a, resources: {limits: {memory: 2Mi}}}"), C0 + ".resources.limits.memory", "at least 4Mi");

    [Fact]
    public void Rejects_a_cpu_limit_below_dockers_minimum() =>
        Rejects(Service(container: "{image: a, resources: {limits: {cpu: 5m}}}"), C0 + ".resources.limits.cpu", "at least 10m");

    [Fact]
    public void Rejects_a_request_above_its_limit() =>
        Rejects(Service(container: "{image: a, resources: {limits: {memory: 128Mi}, requests: {memory: 256Mi}}}"), C0 + ".resources.requests.memory", "limit");

    [Fact]
    public void Accepts_memory_requests_below_the_limit_minimum() =>
        Accepts(Service(container: "{image: a, resources: {requests: {memory: 1Mi, cpu: 1m}, limits: {memory: 4Mi, cpu: '0.5'}}}"));

    // --- revision spec numbers

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Rejects_container_concurrency_out_of_range(int value) =>
        Rejects(Service(spec: $"containerConcurrency: {value}"), "spec.template.spec.containerConcurrency", "between 0 and 1000");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public void Accepts_container_concurrency_in_range(int value) => Accepts(Service(spec: $"containerConcurrency: {value}"));

    [Theory]
    [InlineData(-1)]
    [InlineData(601)]
    public void Rejects_timeout_seconds_out_of_range(int value) =>
        Rejects(Service(spec: $"timeoutSeconds: {value}"), "spec.template.spec.timeoutSeconds", "between 0 and 600");

    [Theory]
    [InlineData("responseStartTimeoutSeconds")]
    [InlineData("idleTimeoutSeconds")]
    public void Rejects_a_sub_timeout_above_timeout_seconds(string field) =>
        Rejects(Service(spec: $"timeoutSeconds: 30, {field}: 31"), "spec.template.spec." + field, "at most timeoutSeconds (30)");

    [Theory]
    [InlineData("responseStartTimeoutSeconds")]
    [InlineData("idleTimeoutSeconds")]
    public void Rejects_a_negative_sub_timeout(string field) =>
        Rejects(Service(spec: $"{field}: -1"), "spec.template.spec." + field, "between 0 and 600");

    [Fact]
    public void Accepts_sub_timeouts_when_timeout_seconds_is_the_default() =>
        Accepts(Service(spec: "timeoutSeconds: 0, responseStartTimeoutSeconds: 400, idleTimeoutSeconds: 500"));

    [Fact]
    public void Rejects_an_invalid_service_account_name() =>
        Rejects(Service(spec: "serviceAccountName: Bad_Name"), "spec.template.spec.serviceAccountName", "DNS-1123 subdomain");

    // --- probes

    [Fact]
    public void Rejects_a_probe_with_two_handlers() =>
        Rejects(Service(container: "{image: a, readinessProbe: {httpGet: {path: /}, tcpSocket: {port: 8080}}}"), C0 + ".readinessProbe", "at most one of httpGet, tcpSocket, exec");

    [Fact]
    public void Rejects_a_liveness_probe_without_a_handler() =>
        Rejects(Service(container: "{image: a, livenessProbe: {periodSeconds: 5}}"), C0 + ".livenessProbe", "one of httpGet, tcpSocket, exec");

    [Fact]
    public void Accepts_a_readiness_probe_without_a_handler_because_knative_checks_tcp() =>
        Accepts(Service(container: "{image: a, readinessProbe: {initialDelaySeconds: 2}}"));

    [Theory]
    [InlineData("readinessProbe", "httpGet", 0)]
    [InlineData("livenessProbe", "tcpSocket", 70000)]
    public void Rejects_a_probe_port_out_of_range(string probe, string handler, int port) =>
        Rejects(Service(container: $"{{image: a, {probe}: {{{handler}: {{port: {port}}}}}}}"), $"{C0}.{probe}.{handler}.port", "between 1 and 65535");

    [Fact]
    public void Rejects_a_probe_port_name_that_is_not_the_container_port() =>
        Rejects(Service(container: "{image: a, ports: [{name: h2c, containerPort: 8080}], livenessProbe: {tcpSocket: {port: http1}}}"),
            C0 + ".livenessProbe.tcpSocket.port", "name of the container's port");

    [Fact]
    public void Accepts_a_probe_port_named_like_the_container_port() =>
        Accepts(Service(container: "{image: a, ports: [{name: h2c, containerPort: 8080}], readinessProbe: {httpGet: {port: h2c}}}"));

    [Fact]
    public void Rejects_a_probe_path_without_a_leading_slash() =>
        Rejects(Service(container: "{image: a, readinessProbe: {httpGet: {path: healthz}}}"), C0 + ".readinessProbe.httpGet.path", "must start with '/'");

    [Fact]
    public void Rejects_an_unknown_probe_scheme() =>
        Rejects(Service(container: "{image: a, readinessProbe: {httpGet: {path: /, scheme: FTP}}}"), C0 + ".readinessProbe.httpGet.scheme");

    [Fact]
    public void Requires_an_exec_probe_command() =>
        Rejects(Service(container: "{image: a, livenessProbe: {exec: {command: []}}}"), C0 + ".livenessProbe.exec.command", "required");

    [Theory]
    [InlineData("initialDelaySeconds")]
    [InlineData("periodSeconds")]
    [InlineData("timeoutSeconds")]
    [InlineData("successThreshold")]
    [InlineData("failureThreshold")]
    public void Rejects_negative_probe_numbers(string field) =>
        Rejects(Service(container: $"{{image: a, livenessProbe: {{tcpSocket: {{}}, {field}: -1}}}}"), $"{C0}.livenessProbe.{field}", "at least 0");

    [Theory]
    [InlineData("timeoutSeconds")]
    [InlineData("failureThreshold")]
    public void Rejects_readiness_timeouts_and_thresholds_without_a_period(string field) =>
        Rejects(Service(container: $"{{image: a, readinessProbe: {{httpGet: {{path: /}}, {field}: 3}}}}"), $"{C0}.readinessProbe.{field}", "when periodSeconds is 0");

    [Theory]
    [InlineData("timeoutSeconds")]
    [InlineData("failureThreshold")]
    public void Rejects_a_zero_readiness_timeout_or_threshold_with_a_period(string field) =>
        Rejects(Service(container: $"{{image: a, readinessProbe: {{httpGet: {{path: /}}, periodSeconds: 5, {field}: 0}}}}"), $"{C0}.readinessProbe.{field}", "at least 1");

    [Fact]
    public void Requires_probe_header_names() =>
        Rejects(Service(container: "{image: a, readinessProbe: {httpGet: {path: /, httpHeaders: [{value: x}]}}}"), C0 + ".readinessProbe.httpGet.httpHeaders[0].name", "required");

    // --- security context

    [Fact]
    public void Rejects_a_negative_run_as_user() =>
        Rejects(Service(container: "{image: a, securityContext: {runAsUser: -1}}"), C0 + ".securityContext.runAsUser", "between 0 and");

    [Fact]
    public void Rejects_a_run_as_group_above_int32() =>
        Rejects(Service(container: "{image: a, securityContext: {runAsGroup: 2147483648}}"), C0 + ".securityContext.runAsGroup", "between 0 and");

    [Fact]
    public void Accepts_root() => Accepts(Service(container: "{image: a, securityContext: {runAsUser: 0}}"));

    // --- robustness: explicit nulls bind to null references; validation reports them, never throws

    [Theory]
    [InlineData("{image: a, env: [null]}", C0 + ".env[0]")]
    [InlineData("{image: a, ports: [null]}", C0 + ".ports[0]")]
    [InlineData("{image: a, env: [{name: null, value: x}]}", C0 + ".env[0].name")]
    public void Reports_null_entries_instead_of_throwing(string container, string field) => Rejects(Service(container: container), field);

    [Fact]
    public void Reports_a_null_spec() =>
        Assert.Contains(ServiceValidator.Validate(new Service { Metadata = new() { Name = "hello" }, Spec = null! }), e => e.Field == "spec");

    [Fact]
    public void Reports_a_null_template() =>
        Assert.Contains(ServiceValidator.Validate(new Service { Metadata = new() { Name = "hello" }, Spec = new() { Template = null! } }), e => e.Field == "spec.template");

    // --- throwing form and helpers

    [Fact]
    public void Validate_or_throw_throws_with_every_error_and_the_first_field()
    {
        var service = Parse(Service(container: "{ports: [{containerPort: 8012}]}"));

        var e = Assert.Throws<ValidationException>(() => ServiceValidator.ValidateOrThrow(service));

        Assert.Equal(C0 + ".image", e.Field);
        Assert.Equal([C0 + ".image", C0 + ".ports[0].containerPort"], e.Errors.Select(x => x.Field));
    }

    [Fact]
    public void Validate_or_throw_is_silent_for_a_valid_service() => ServiceValidator.ValidateOrThrow(Parse(Hello));

    [Fact]
    public void Collects_every_error_not_just_the_first()
    {
        var errors = Validate(Service(metadata: "name: Bad", spec: "timeoutSeconds: 9999", container: "{image: 'a b', env: [{name: PORT}]}"));

        Assert.Equal(["metadata.name", "spec.template.spec.timeoutSeconds", C0 + ".image", C0 + ".env[0].name"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Limits_come_from_the_given_defaults()
    {
        var service = Parse(Service(spec: "timeoutSeconds: 900, containerConcurrency: 2000"));
        var roomy = new Kinlet.Core.Serving.ServingDefaults { MaxTimeoutSeconds = 3600, MaxContainerConcurrency = 5000 };

        Assert.Equal(2, ServiceValidator.Validate(service).Count);
        Assert.Empty(ServiceValidator.Validate(service, roomy));
    }

    [Theory]
    [InlineData("hello", "hello-00001", null)]
    [InlineData("hello", "hello-blue", null)]
    [InlineData("hello", "hello-", "must be a DNS-1123 label")]
    [InlineData("hello", "hellox-00001", "must start with \"hello-\"")]
    [InlineData("hello", "world-00001", "must start with \"hello-\"")]
    [InlineData("hello", "Hello-00001", "must be a DNS-1123 label")]
    public void Revision_names_must_belong_to_the_service(string service, string revision, string? error)
    {
        var message = ServiceValidator.ValidateRevisionName(service, revision);

        if (error is null) Assert.Null(message);
        else Assert.StartsWith(error, message, StringComparison.Ordinal);
    }

    // --- updates

    [Fact]
    public void Rejects_a_changed_template_that_keeps_its_custom_revision_name()
    {
        var before = Parse(Service(templateMetadata: "{name: hello-v1}"));
        var after = Parse(Service(templateMetadata: "{name: hello-v1}", container: "{image: ghcr.io/acme/hello:2.0}"));

        var errors = ServiceValidator.ValidateUpdate(before, after);

        Assert.Equal("spec.template.metadata.name", Assert.Single(errors).Field);
    }

    [Fact]
    public void Accepts_an_update_that_renames_the_revision_or_changes_only_traffic()
    {
        var before = Parse(Service(templateMetadata: "{name: hello-v1}"));
        var renamed = Parse(Service(templateMetadata: "{name: hello-v2}", container: "{image: ghcr.io/acme/hello:2.0}"));
        var trafficOnly = Parse(Service(templateMetadata: "{name: hello-v1}", spec: "timeoutSeconds: 300",
            traffic: "[{revisionName: hello-v1, percent: 100}]"));

        Assert.Empty(ServiceValidator.ValidateUpdate(before, renamed));
        Assert.Empty(ServiceValidator.ValidateUpdate(before, trafficOnly));
    }
}
