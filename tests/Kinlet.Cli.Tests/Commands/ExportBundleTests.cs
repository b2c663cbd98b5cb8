using Kinlet.Cli.Commands.Apply;
using Kinlet.Cli.Commands.Export;
using Kinlet.Cli.Tests.Support;
using Kinlet.Tests.Shared;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Commands;

/// <summary>What <c>kinlet export</c> writes: ConfigMaps, replayed revisions and the service, checked against the official CRDs.</summary>
public sealed class ExportBundleTests
{
    /// <summary>A service using every field Kinlet supports on a revision, with traffic naming an older revision.</summary>
    private const string Full = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: shop
          namespace: default
          labels: {team: web}
          annotations: {example.com/owner: me}
        spec:
          template:
            metadata:
              labels: {tier: front}
              annotations:
                autoscaling.knative.dev/min-scale: "1"
                autoscaling.knative.dev/max-scale: "5"
                autoscaling.knative.dev/target: "10"
            spec:
              containerConcurrency: 10
              timeoutSeconds: 120
              containers:
                - name: app
                  image: kinlet.local/testfn:latest
                  ports: [{containerPort: 8080, name: http1}]
                  env:
                    - {name: PLAIN, value: "yes"}
                    - name: PW
                      valueFrom: {secretKeyRef: {name: db, key: password}}
                    - name: LEVEL
                      valueFrom: {configMapKeyRef: {name: app, key: LOG_LEVEL, optional: true}}
                  envFrom:
                    - configMapRef: {name: app}
                    - prefix: DB_
                      secretRef: {name: db, optional: true}
                  resources:
                    limits: {cpu: 500m, memory: 256Mi}
                    requests: {cpu: 100m, memory: 64Mi}
                  readinessProbe:
                    httpGet: {path: /healthz, port: 8080}
                    periodSeconds: 2
                  livenessProbe:
                    tcpSocket: {port: 8080}
                    failureThreshold: 5
                  securityContext: {runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
                  volumeMounts:
                    - {name: config, mountPath: /etc/app, readOnly: true}
                    - {name: scratch, mountPath: /tmp/scratch}
              volumes:
                - name: config
                  configMap: {name: files, items: [{key: config.yaml, path: config.yaml}]}
                - name: scratch
                  emptyDir: {medium: Memory, sizeLimit: 64Mi}
          traffic:
            - {revisionName: shop-00001, percent: 20, tag: stable}
            - {latestRevision: true, percent: 80, tag: canary}
        """;

    private static Service Read(string yaml) => ManifestReader.Bind<Service>(ManifestReader.Read(yaml)[0].Body).Value;

    private static Dictionary<string, ConfigMap> Maps() => new(StringComparer.Ordinal)
    {
        ["app"] = new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "app", Namespace = "default", Uid = "u1", ResourceVersion = "3", CreationTimestamp = DateTimeOffset.UnixEpoch },
            Data = new() { ["LOG_LEVEL"] = "debug" },
        },
        ["files"] = new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "files", Namespace = "default" },
            Data = new() { ["config.yaml"] = "a: 1\n" },
            BinaryData = new() { ["logo.png"] = "iVBORw0KGgo=" },
            Immutable = true,
        },
    };

    private static Revision Old(string name, long generation, string image)
    {
        var spec = Read(Full).Spec.Template.Spec;
        spec.Containers[0].Image = image;
        return new Revision
        {
            Metadata = new ObjectMeta
            {
                Name = name, Namespace = "default",
                Labels = new() { [KnownKeys.ServiceLabel] = "shop", [KnownKeys.ConfigurationGenerationLabel] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                Annotations = new() { ["serving.knative.dev/routingStateModified"] = "2026-01-01T00:00:00Z", ["autoscaling.knative.dev/min-scale"] = "1" },
            },
            Spec = spec,
        };
    }

    [Fact]
    public async Task A_service_with_every_supported_field_exports_config_maps_first_and_validates_against_the_CRDs()
    {
        var bundle = new ExportBundle();
        bundle.Add(Read(Full), [], Maps(), withRevisions: false);

        Assert.Equal(["ConfigMap/app", "ConfigMap/files", "Service/shop"], bundle.Documents.Select(Describe));
        var app = Assert.IsType<ConfigMap>(bundle.Documents[0]);
        Assert.Null(app.Metadata.Uid);
        Assert.Null(app.Metadata.ResourceVersion);
        Assert.Null(app.Metadata.CreationTimestamp);
        Assert.Contains(bundle.Warnings, w => w.Contains("secret(s) db; secrets are not exported", StringComparison.Ordinal));
        Assert.Contains(bundle.Warnings, w => w.Contains("revision(s) shop-00001, which a cluster would lack; export with --with-revisions", StringComparison.Ordinal));

        var yaml = ManifestWriter.ToYaml((IEnumerable<object>)bundle.Documents);
        var lines = await CrdSchemas.AssertValidAsync(yaml);
        Assert.Contains("OK Service/shop", lines);
        Assert.Contains(lines, l => l.StartsWith("SKIP ConfigMap/app", StringComparison.Ordinal));
        Assert.DoesNotContain("password", yaml.Replace("key: password", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_revisions_the_routed_revisions_come_first_oldest_first_in_kns_replay_shape()
    {
        var service = Read(Full);
        service.Spec.Traffic = [
            new TrafficTarget { RevisionName = "shop-00003", Percent = 30 },
            new TrafficTarget { RevisionName = "shop-00001", Percent = 20 },
            new TrafficTarget { LatestRevision = true, Percent = 50 },
        ];
        var bundle = new ExportBundle();
        bundle.Add(service, [Old("shop-00003", 3, "img:3"), Old("shop-00002", 2, "img:2"), Old("shop-00001", 1, "img:1")], Maps(), withRevisions: true);

        Assert.Equal(["ConfigMap/app", "ConfigMap/files", "Service/shop", "Service/shop", "Service/shop"], bundle.Documents.Select(Describe));
        var first = Assert.IsType<Service>(bundle.Documents[2]);
        var second = Assert.IsType<Service>(bundle.Documents[3]);
        Assert.Equal(("shop-00001", "img:1"), (first.Spec.Template.Metadata!.Name, first.Spec.Template.Spec.Containers[0].Image));
        Assert.Equal(("shop-00003", "img:3"), (second.Spec.Template.Metadata!.Name, second.Spec.Template.Spec.Containers[0].Image));
        Assert.Null(first.Spec.Traffic);
        Assert.False(first.Spec.Template.Metadata.Annotations!.ContainsKey("serving.knative.dev/routingStateModified"));
        Assert.Equal(3, Assert.IsType<Service>(bundle.Documents[4]).Spec.Traffic!.Count);
        Assert.DoesNotContain(bundle.Warnings, w => w.Contains("--with-revisions", StringComparison.Ordinal));

        await CrdSchemas.AssertValidAsync(ManifestWriter.ToYaml((IEnumerable<object>)bundle.Documents));

        // kinlet apply takes the same shape: the named revisions ahead of the service.
        var plan = ManifestPlan.Build([new ManifestSource("export.yaml", ManifestWriter.ToYaml((IEnumerable<object>)bundle.Documents))], "default");
        var planned = Assert.Single(plan.Services);
        Assert.Equal(["shop-00001", "shop-00003"], planned.Revisions.Select(r => r.RevisionName));
        Assert.Equal(["ConfigMap", "ConfigMap"], plan.Resources.Select(r => r.Kind));
    }

    [Fact]
    public void A_missing_config_map_or_revision_is_a_warning_and_config_maps_are_written_once_across_services()
    {
        var bundle = new ExportBundle();
        var service = Read(Full);
        bundle.Add(service, [], new Dictionary<string, ConfigMap>(StringComparer.Ordinal) { ["app"] = Maps()["app"] }, withRevisions: true);
        var other = Read(Full.Replace("name: shop\n", "name: other\n", StringComparison.Ordinal));
        other.Spec.Traffic = null;
        bundle.Add(other, [], new Dictionary<string, ConfigMap>(StringComparer.Ordinal) { ["app"] = Maps()["app"] }, withRevisions: true);

        Assert.Equal(["ConfigMap/app", "Service/shop", "Service/other"], bundle.Documents.Select(Describe));
        Assert.Contains("service 'shop': configmap 'files' does not exist; not exported", bundle.Warnings);
        Assert.Contains("service 'shop': traffic names revision(s) shop-00001 that do not exist here; not exported", bundle.Warnings);
    }

    [Fact]
    public void Apply_still_refuses_the_same_service_twice_when_the_earlier_one_names_no_revision()
    {
        var yaml = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{image: x}]}}}\n";
        var e = Assert.Throws<CliException>(() => ManifestPlan.Build([new ManifestSource("two.yaml", yaml + "---\n" + yaml)], "default"));
        Assert.Contains("apply each service once", e.Message);
    }

    private static string Describe(object o) => o switch
    {
        ConfigMap m => "ConfigMap/" + m.Metadata.Name,
        Service s => "Service/" + s.Metadata.Name,
        _ => o.GetType().Name,
    };
}
