using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Core.Tests.Manifests;

public class ManifestWriterTests
{
    private static Service Stored()
    {
        var service = TestManifests.Parse(TestManifests.Full);
        var meta = service.Metadata;
        meta.Uid = "0f1e2d3c-0000-4000-8000-000000000001";
        meta.Generation = 7;
        meta.ResourceVersion = "42";
        meta.CreationTimestamp = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        meta.Annotations!["kinlet.dev/last-applied"] = "{}";
        meta.Annotations["serving.knative.dev/creator"] = "kinlet";
        meta.Annotations["serving.knative.dev/lastModifier"] = "kinlet";
        service.Spec.Template.Metadata!.Annotations!["kinlet.dev/digest"] = "sha256:abc";
        service.Spec.Traffic![0].Url = "http://stable-shop.staging.localhost:8080";
        service.Status = new ServiceStatus
        {
            ObservedGeneration = 7,
            Url = "http://shop.staging.localhost:8080",
            LatestReadyRevisionName = "shop-v2",
            Conditions = [new Condition { Type = ConditionTypes.Ready, Status = ConditionStatus.True }],
        };
        return service;
    }

    [Fact]
    public void Export_leaves_out_status_and_server_set_metadata()
    {
        var export = ManifestWriter.ForExport(Stored());

        Assert.Null(export.Status);
        Assert.Null(export.Metadata.Uid);
        Assert.Null(export.Metadata.Generation);
        Assert.Null(export.Metadata.ResourceVersion);
        Assert.Null(export.Metadata.CreationTimestamp);
        Assert.Equal(["example.com/owner"], export.Metadata.Annotations!.Keys);
        Assert.DoesNotContain(export.Spec.Template.Metadata!.Annotations!.Keys, k => k.StartsWith("kinlet.dev/", StringComparison.Ordinal));
        Assert.All(export.Spec.Traffic!, t => Assert.Null(t.Url));
        Assert.Equal("shop-v2", export.Spec.Template.Metadata.Name);
    }

    [Fact]
    public void Export_does_not_change_the_stored_service()
    {
        var stored = Stored();
        var before = KinletJson.Serialize(stored);

        ManifestWriter.ForExport(stored);

        Assert.Equal(before, KinletJson.Serialize(stored));
    }

    [Fact]
    public void Exported_yaml_reads_back_to_an_equal_spec()
    {
        var original = TestManifests.Parse(TestManifests.Full);

        var yaml = ManifestWriter.ExportYaml([Stored()]);
        var back = TestManifests.Bind(yaml);

        Assert.Empty(back.Warnings);
        Assert.Equal(KinletJson.Serialize(original.Spec.Template.Spec), KinletJson.Serialize(back.Value.Spec.Template.Spec));
        Assert.True(RevisionTemplates.TemplateEquals(original.Spec.Template, back.Value.Spec.Template));
        Assert.Equal(KinletJson.Serialize(original.Spec.Traffic), KinletJson.Serialize(back.Value.Spec.Traffic));
        Assert.Equal(original.Metadata.Labels, back.Value.Metadata.Labels);
        Assert.Equal("staging", back.Value.Metadata.Namespace);
        Assert.DoesNotContain("status", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("kinlet.dev/", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_services_export_as_a_multi_document_file()
    {
        var yaml = ManifestWriter.ExportYaml([TestManifests.Parse(TestManifests.Hello), TestManifests.Parse(TestManifests.ExecProbe)]);

        Assert.Equal(["hello", "worker"], ManifestReader.Read(yaml).Select(r => r.Name));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("off")]
    [InlineData("y")]
    [InlineData("8080")]
    [InlineData("01234")]
    [InlineData("1e3")]
    [InlineData("1_000")]
    [InlineData("1:20")]
    [InlineData("0x1F")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData(".inf")]
    [InlineData("")]
    public void Strings_that_a_yaml_reader_could_take_for_another_type_are_quoted(string value)
    {
        var service = TestManifests.Parse(TestManifests.Hello);
        service.Spec.Template.Spec.Containers[0].Env![0].Value = value;

        var yaml = ManifestWriter.ToYaml(ManifestWriter.ForExport(service));
        var back = TestManifests.Parse(yaml);

        Assert.Contains($"value: \"{value}\"", yaml, StringComparison.Ordinal);
        Assert.Equal(value, back.Spec.Template.Spec.Containers[0].Env![0].Value);
    }

    [Fact]
    public void Plain_words_and_numbers_are_not_quoted()
    {
        var yaml = ManifestWriter.ToYaml(TestManifests.Parse(TestManifests.Full));

        Assert.Contains("value: debug", yaml, StringComparison.Ordinal);
        Assert.Contains("containerPort: 9000", yaml, StringComparison.Ordinal);
        Assert.Contains("containerConcurrency: 10", yaml, StringComparison.Ordinal);
    }
}
