using Kinlet.Core.Serving;
using Kinlet.Core.Validation;
using static Kinlet.Core.Tests.TestManifests;
using static Kinlet.Core.Tests.Validation.ValidationAssert;

namespace Kinlet.Core.Tests.Validation;

/// <summary>Sidecars, init containers and the pod-level fields of issue 14 (parts 4-6).</summary>
public sealed class PodSpecValidationTests
{
    private const string Serving = "{name: app, image: ghcr.io/acme/hello:1.0, ports: [{containerPort: 8080}]}";
    private const string Sidecar = "{name: proxy, image: busybox}";

    [Fact]
    public void Accepts_a_serving_container_with_a_sidecar() => Accepts(Service(container: Serving, extraContainer: Sidecar));

    [Fact]
    public void The_serving_container_is_the_one_with_ports_wherever_it_is()
    {
        var service = Parse(Service(container: Sidecar, extraContainer: Serving));
        Assert.Equal(1, PodLayout.ServingIndex(service.Spec.Template.Spec));
        Assert.Equal("app", PodLayout.Serving(service.Spec.Template.Spec)!.Name);
        // Defaults give the serving container (not the first) its port.
        var defaulted = RevisionTemplates.WithDefaults(service.Spec.Template.Spec);
        Assert.Null(defaulted.Containers[0].Ports);
    }

    [Fact]
    public void Rejects_two_containers_with_ports_naming_the_second() =>
        Rejects(Service(container: Serving, extraContainer: "{name: other, image: busybox, ports: [{containerPort: 9000}]}"),
            "spec.template.spec.containers[1].ports", "only one container may declare ports (containers[0] does)");

    [Fact]
    public void Rejects_duplicate_container_names() =>
        Rejects(Service(container: Serving, extraContainer: "{name: app, image: busybox}"),
            "spec.template.spec.containers[1].name", "duplicate name \"app\"");

    [Fact]
    public void Rejects_an_init_container_named_as_a_container() =>
        Rejects(Service(container: Serving, spec: "initContainers: [{name: app, image: busybox}]"),
            "spec.template.spec.initContainers[0].name", "duplicate name \"app\" (also containers[0])");

    [Fact]
    public void Rejects_probes_and_ports_on_init_containers()
    {
        var yaml = Service(container: Serving, spec: "initContainers: [{name: setup, image: busybox, ports: [{containerPort: 1}], readinessProbe: {tcpSocket: {port: 1}}}]");
        Rejects(yaml, "spec.template.spec.initContainers[0].ports", "must not be set for an init container");
        Rejects(yaml, "spec.template.spec.initContainers[0].readinessProbe", "must not be set for an init container");
    }

    [Fact]
    public void Validates_init_containers_like_containers() =>
        Rejects(Service(container: Serving, spec: "initContainers: [{name: setup}]"), "spec.template.spec.initContainers[0].image", "required");

    [Fact]
    public void A_sidecar_probe_names_its_port() =>
        Rejects(Service(container: Serving, extraContainer: "{name: proxy, image: busybox, readinessProbe: {httpGet: {path: /}}}"),
            "spec.template.spec.containers[1].readinessProbe.httpGet.port", "required for a sidecar");

    [Fact]
    public void Accepts_a_sidecar_with_an_exec_or_port_probe() =>
        Accepts(Service(container: Serving, extraContainer: "{name: proxy, image: busybox, readinessProbe: {tcpSocket: {port: 9000}}, livenessProbe: {exec: {command: [\"true\"]}}}"));

    [Fact]
    public void Accepts_the_pod_fields_of_one_node() =>
        Accepts(Service(spec: "serviceAccountName: builder, enableServiceLinks: false, imagePullSecrets: [{name: regcred}], "
            + "securityContext: {runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, supplementalGroups: [5], fsGroup: 2000}, "
            + "nodeSelector: {disk: ssd}, tolerations: [{key: a, operator: Exists}], affinity: {nodeAffinity: {}}",
            container: "{image: ghcr.io/acme/hello:1.0, securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}"));

    [Fact]
    public void Rejects_an_image_pull_secret_without_a_name() =>
        Rejects(Service(spec: "imagePullSecrets: [{}]"), "spec.template.spec.imagePullSecrets[0].name", "required");

    [Fact]
    public void Rejects_adding_all_capabilities() =>
        Rejects(Service(container: "{image: a, securityContext: {capabilities: {add: [ALL]}}}"),
            "spec.template.spec.containers[0].securityContext.capabilities.add[0]", "ALL");

    [Fact]
    public void Rejects_a_capability_that_is_not_a_name() =>
        Rejects(Service(container: "{image: a, securityContext: {capabilities: {drop: [net_raw]}}}"),
            "spec.template.spec.containers[0].securityContext.capabilities.drop[0]", "capability name");

    [Fact]
    public void Rejects_run_as_non_root_with_user_zero()
    {
        Rejects(Service(spec: "securityContext: {runAsNonRoot: true, runAsUser: 0}"), "spec.template.spec.securityContext.runAsNonRoot", "runAsUser 0");
        Rejects(Service(container: "{image: a, securityContext: {runAsNonRoot: true, runAsUser: 0}}"),
            "spec.template.spec.containers[0].securityContext.runAsNonRoot", "runAsUser 0");
    }

    [Fact]
    public void Scheduling_fields_are_kept_and_warned_about_never_reported_unknown()
    {
        var bound = Bind(Service(spec: "nodeSelector: {disk: ssd}, tolerations: [{key: a, operator: Exists}], affinity: {nodeAffinity: {x: 1}}"));
        Assert.Empty(bound.Warnings);
        var spec = bound.Value.Spec.Template.Spec;
        Assert.Equal("ssd", spec.NodeSelector!["disk"]);
        Assert.Equal(
        [
            "spec.template.spec.nodeSelector: accepted and ignored (Kinlet runs every instance on this one node)",
            "spec.template.spec.tolerations: accepted and ignored (Kinlet runs every instance on this one node)",
            "spec.template.spec.affinity: accepted and ignored (Kinlet runs every instance on this one node)",
        ], OneNodeWarnings.For(spec, "spec.template.spec"));
        // Kept as written: an export gives them back.
        var json = Json.KinletJson.Serialize(spec);
        Assert.Contains("\"tolerations\":[{\"key\":\"a\",\"operator\":\"Exists\"}]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_containers_get_default_names() =>
        Assert.Equal("init-0", RevisionTemplates.WithDefaults(Parse(Service(spec: "initContainers: [{image: busybox}]")).Spec.Template.Spec).InitContainers![0].Name);
}
