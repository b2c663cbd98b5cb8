using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Core.Tests.Validation;

public sealed class ConfigMapValidatorTests
{
    private static ConfigMap Read(string yaml) => ManifestReader.Bind<ConfigMap>(ManifestReader.Read(yaml)[0].Body).Value;

    private static ConfigMap Map(Dictionary<string, string>? data = null, Dictionary<string, string>? binary = null, string name = "app") =>
        new() { Metadata = new ObjectMeta { Name = name }, Data = data, BinaryData = binary };

    [Fact]
    public void Accepts_a_Kubernetes_config_map_with_text_and_binary_keys()
    {
        var map = Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: app, namespace: default, labels: {team: a}}
            data:
              LOG_LEVEL: debug
              config.yaml: |
                a: 1
            binaryData:
              logo.png: iVBORw0KGgo=
            immutable: true
            """);
        Assert.Empty(ConfigMapValidator.Validate(map));
        Assert.Equal("debug", map.Data!["LOG_LEVEL"]);
        Assert.True(map.Immutable);
    }

    [Fact]
    public void Accepts_an_empty_config_map_as_Kubernetes_does() => Assert.Empty(ConfigMapValidator.Validate(Map()));

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/key")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("")]
    public void Rejects_keys_Kubernetes_rejects(string key)
    {
        var error = Assert.Single(ConfigMapValidator.Validate(Map(new() { [key] = "v" })));
        Assert.Equal("data." + key, error.Field);
    }

    [Theory]
    [InlineData("a-b_c.d")]
    [InlineData("UPPER.lower-9")]
    [InlineData(".hidden")]
    public void Accepts_keys_of_letters_digits_dash_underscore_dot(string key) =>
        Assert.Empty(ConfigMapValidator.Validate(Map(new() { [key] = "v" })));

    [Fact]
    public void Rejects_a_key_in_both_data_and_binaryData()
    {
        var error = Assert.Single(ConfigMapValidator.Validate(Map(new() { ["k"] = "v" }, new() { ["k"] = "dg==" })));
        Assert.Equal("binaryData.k", error.Field);
        Assert.Contains("not both", error.Message);
    }

    [Fact]
    public void Rejects_binary_data_that_is_not_base64()
    {
        var error = Assert.Single(ConfigMapValidator.Validate(Map(binary: new() { ["k"] = "not base64!" })));
        Assert.Equal("binaryData.k", error.Field);
    }

    [Fact]
    public void Rejects_over_one_MiB_in_all_naming_the_limit()
    {
        var half = new string('x', 600 * 1024);
        var error = Assert.Single(ConfigMapValidator.Validate(Map(new() { ["a"] = half },
            new() { ["b"] = Convert.ToBase64String(new byte[600 * 1024]) })));
        Assert.Equal("data", error.Field);
        Assert.Contains("1 MiB (1048576 bytes)", error.Message);
    }

    [Fact]
    public void Accepts_exactly_one_MiB_of_keys_and_values() =>
        Assert.Empty(ConfigMapValidator.Validate(Map(new() { ["k"] = new string('x', ConfigMapValidator.MaxBytes - 1) })));

    [Fact]
    public void Requires_a_DNS_subdomain_name()
    {
        Assert.Equal("metadata.name", Assert.Single(ConfigMapValidator.Validate(Map(name: ""))).Field);
        Assert.Equal("metadata.name", Assert.Single(ConfigMapValidator.Validate(Map(name: "Bad_Name"))).Field);
        Assert.Empty(ConfigMapValidator.Validate(Map(name: "app.config-1")));
    }

    [Fact]
    public void Rejects_another_api_version_or_kind()
    {
        var map = Map();
        map.ApiVersion = "v2";
        map.Kind = "Secret";
        Assert.Equal(["apiVersion", "kind"], ConfigMapValidator.Validate(map).Select(e => e.Field));
    }
}
