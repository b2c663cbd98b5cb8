using static Kinlet.Core.Tests.TestManifests;
using static Kinlet.Core.Tests.Validation.ValidationAssert;

namespace Kinlet.Core.Tests.Validation;

public class VolumeValidatorTests
{
    private const string V = "spec.template.spec.volumes";
    private const string M = "spec.template.spec.containers[0].volumeMounts";

    private static string With(string volumes, string mounts) =>
        Service(container: "{image: ghcr.io/acme/hello:1.0, volumeMounts: [" + mounts + "]}", spec: "volumes: [" + volumes + "]");

    public const string EveryKind = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata: {name: vols}
        spec:
          template:
            spec:
              containers:
                - image: ghcr.io/acme/hello:1.0
                  volumeMounts:
                    - {name: creds, mountPath: /var/run/creds}
                    - {name: config, mountPath: /etc/app, readOnly: true}
                    - {name: all, mountPath: /etc/all}
                    - {name: scratch, mountPath: /tmp/scratch}
                    - {name: ram, mountPath: /dev/cache}
                    - {name: data, mountPath: /data}
                    - {name: config, mountPath: /etc/app.yaml, subPath: app.yaml}
              volumes:
                - name: creds
                  secret:
                    secretName: db
                    defaultMode: 0440
                    items: [{key: password, path: db/password, mode: 0400}]
                - name: config
                  configMap: {name: app, optional: true}
                - name: all
                  projected:
                    defaultMode: 0444
                    sources:
                      - secret: {name: db}
                      - configMap: {name: app, items: [{key: LOG_LEVEL, path: level}]}
                - name: scratch
                  emptyDir: {}
                - name: ram
                  emptyDir: {medium: Memory, sizeLimit: 64Mi}
                - name: data
                  persistentVolumeClaim: {claimName: data, readOnly: false}
        """;

    [Fact]
    public void Accepts_every_supported_kind() => Accepts(EveryKind);

    [Fact]
    public void Every_supported_kind_binds_without_warnings() => Assert.Empty(Bind(EveryKind).Warnings);

    [Fact]
    public void Yaml_modes_with_a_leading_zero_are_octal_as_kubectl_reads_them()
    {
        var spec = Parse(EveryKind).Spec.Template.Spec;
        Assert.Equal(0x120, spec.Volumes![0].Secret!.DefaultMode); // 0440
        Assert.Equal(0x100, spec.Volumes[0].Secret!.Items![0].Mode); // 0400
    }

    [Fact]
    public void Json_modes_are_decimal_as_in_the_kubernetes_api()
    {
        var bound = Kinlet.Core.Manifests.ManifestReader.Bind<Kinlet.Core.Model.Volume>("""{"name":"a","secret":{"secretName":"s","defaultMode":256}}""");
        Assert.Equal(256, bound.Value.Secret!.DefaultMode);
    }

    [Fact]
    public void Rejects_a_volume_name_used_twice() =>
        Rejects(With("{name: a, emptyDir: {}}, {name: a, emptyDir: {}}", "{name: a, mountPath: /a}"), V + "[1].name", "duplicate name \"a\" (also " + V + "[0])");

    [Fact]
    public void Rejects_a_mount_of_an_unknown_volume() =>
        Rejects(With("{name: a, emptyDir: {}}", "{name: a, mountPath: /a}, {name: b, mountPath: /b}"), M + "[1].name", "no volume named \"b\"");

    [Fact]
    public void Rejects_a_mount_path_that_is_not_absolute() =>
        Rejects(With("{name: a, emptyDir: {}}", "{name: a, mountPath: data}"), M + "[0].mountPath", "must be an absolute path");

    [Fact]
    public void Rejects_two_mounts_at_one_path() =>
        Rejects(With("{name: a, emptyDir: {}}, {name: b, emptyDir: {}}", "{name: a, mountPath: /data}, {name: b, mountPath: /data/}"), M + "[1].mountPath", "mounted twice");

    [Theory]
    [InlineData("hostPath: {path: /etc}", "hostPath")]
    [InlineData("csi: {driver: x}", "csi")]
    [InlineData("nfs: {server: x, path: /}", "nfs")]
    public void Rejects_other_volume_kinds_naming_the_field(string kind, string field) =>
        Rejects(With("{name: a, emptyDir: {}}, {name: b, " + kind + "}", "{name: a, mountPath: /a}, {name: b, mountPath: /b}"), V + "[1]." + field, "not supported");

    [Fact]
    public void Rejects_a_projected_service_account_token() =>
        Rejects(With("{name: a, projected: {sources: [{serviceAccountToken: {path: token}}]}}", "{name: a, mountPath: /a}"),
            V + "[0].projected.sources[0].serviceAccountToken", "not supported");

    [Fact]
    public void Rejects_a_volume_with_two_kinds() =>
        Rejects(With("{name: a, emptyDir: {}, configMap: {name: x}}", "{name: a, mountPath: /a}"), V + "[0]", "exactly one of");

    [Fact]
    public void Rejects_a_volume_with_no_kind() =>
        Rejects(With("{name: a}", "{name: a, mountPath: /a}"), V + "[0]", "must set one of");

    [Theory]
    [InlineData("/etc/passwd", "must be a relative path")]
    [InlineData("../escape", "must not contain '..'")]
    [InlineData("a/../../b", "must not contain '..'")]
    [InlineData("..data", "must not start with '..'")]
    public void Rejects_item_paths_outside_the_volume(string path, string message) =>
        Rejects(With("{name: a, configMap: {name: x, items: [{key: k, path: '" + path + "'}]}}", "{name: a, mountPath: /a}"), V + "[0].configMap.items[0].path", message);

    [Fact]
    public void Rejects_a_sub_path_outside_the_volume() =>
        Rejects(With("{name: a, emptyDir: {}}", "{name: a, mountPath: /a, subPath: ../x}"), M + "[0].subPath", "'..'");

    [Fact]
    public void Rejects_a_mode_above_0777() =>
        Rejects(With("{name: a, secret: {secretName: s, defaultMode: 01000}}", "{name: a, mountPath: /a}"), V + "[0].secret.defaultMode", "0777");

    [Fact]
    public void Rejects_a_memory_medium_it_does_not_know() =>
        Rejects(With("{name: a, emptyDir: {medium: HugePages}}", "{name: a, mountPath: /a}"), V + "[0].emptyDir.medium");

    [Fact]
    public void Rejects_a_size_limit_that_is_not_a_quantity() =>
        Rejects(With("{name: a, emptyDir: {medium: Memory, sizeLimit: lots}}", "{name: a, mountPath: /a}"), V + "[0].emptyDir.sizeLimit");

    [Fact]
    public void Requires_the_names_of_sources() =>
        Rejects(With("{name: a, secret: {}}", "{name: a, mountPath: /a}"), V + "[0].secret.secretName", "required");

    [Fact]
    public void Requires_a_claim_name() =>
        Rejects(With("{name: a, persistentVolumeClaim: {}}", "{name: a, mountPath: /a}"), V + "[0].persistentVolumeClaim.claimName", "required");

    [Fact]
    public void Rejects_a_volume_no_container_mounts() =>
        Rejects(With("{name: a, emptyDir: {}}, {name: b, emptyDir: {}}", "{name: a, mountPath: /a}"), V + "[1].name", "not mounted");

    [Fact]
    public void A_bad_mode_type_names_the_field()
    {
        var e = Assert.Throws<Kinlet.Core.Validation.ValidationException>(() =>
            Bind(With("{name: a, secret: {secretName: s, defaultMode: rw}}", "{name: a, mountPath: /a}")));
        Assert.Contains("defaultMode", e.Message, StringComparison.Ordinal);
    }
}
