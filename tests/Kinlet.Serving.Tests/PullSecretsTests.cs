using System.Text;
using Kinlet.Serving.Secrets;

namespace Kinlet.Serving.Tests;

/// <summary>Which registry credentials an image is pulled with (imagePullSecrets, kubelet's rules).</summary>
public sealed class PullSecretsTests
{
    private static byte[] Config(string auths) => Encoding.UTF8.GetBytes("{\"auths\":{" + auths + "}}");

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Theory]
    [InlineData("busybox", "docker.io")]
    [InlineData("library/busybox:1", "docker.io")]
    [InlineData("acme/app", "docker.io")]
    [InlineData("ghcr.io/acme/app:1", "ghcr.io")]
    [InlineData("localhost/app", "localhost")]
    [InlineData("localhost:5000/app", "localhost:5000")]
    [InlineData("Registry.Example:5000/a/b@sha256:00", "registry.example:5000")]
    public void The_registry_host_is_the_first_component_when_it_looks_like_a_host(string image, string host) =>
        Assert.Equal(host, PullSecrets.RegistryHost(image));

    [Fact]
    public void Picks_the_entry_for_the_images_registry()
    {
        var config = Config("\"ghcr.io\":{\"username\":\"g\",\"password\":\"gp\"},\"registry.example:5000\":{\"username\":\"r\",\"password\":\"rp\"}");
        var c = PullSecrets.Select("registry.example:5000/team/app:1", [config])!;
        Assert.Equal("registry.example:5000", c.ServerAddress);
        Assert.Equal("r", c.Username);
        Assert.Equal("rp", c.Password);
        Assert.Null(PullSecrets.Select("quay.io/x/y", [config]));
    }

    [Fact]
    public void Reads_the_auth_field_and_url_shaped_keys()
    {
        var config = Config($"\"https://index.docker.io/v1/\":{{\"auth\":\"{B64("hub:pw:with:colons")}\"}}");
        var c = PullSecrets.Select("acme/app", [config])!;
        Assert.Equal("https://index.docker.io/v1/", c.ServerAddress);
        Assert.Equal("hub", c.Username);
        Assert.Equal("pw:with:colons", c.Password);
        var registry = PullSecrets.Select("reg.example/app", [Config("\"https://reg.example/v2/\":{\"identitytoken\":\"tok\"}")])!;
        Assert.Equal("tok", registry.IdentityToken);
    }

    [Fact]
    public void The_first_secret_listed_with_a_matching_entry_wins()
    {
        var other = Config("\"quay.io\":{\"username\":\"q\",\"password\":\"qp\"}");
        var first = Config("\"ghcr.io\":{\"username\":\"one\",\"password\":\"1\"}");
        var second = Config("\"ghcr.io\":{\"username\":\"two\",\"password\":\"2\"}");
        Assert.Equal("one", PullSecrets.Select("ghcr.io/a", [other, first, second])!.Username);
    }

    [Fact]
    public void Broken_or_empty_entries_are_skipped()
    {
        byte[] broken = Encoding.UTF8.GetBytes("not json");
        var empty = Config("\"ghcr.io\":{}");
        var good = Config("\"ghcr.io\":{\"username\":\"u\",\"password\":\"p\"}");
        Assert.Equal("u", PullSecrets.Select("ghcr.io/a", [broken, empty, good])!.Username);
    }

    [Fact]
    public void A_dockerconfigjson_secret_must_hold_an_auths_object_and_the_error_never_quotes_it()
    {
        Assert.Null(PullSecrets.ValidateDockerConfig(new Dictionary<string, byte[]> { [".dockerconfigjson"] = Config("") }));
        Assert.Equal("data[.dockerconfigjson]", PullSecrets.ValidateDockerConfig(new Dictionary<string, byte[]>())!.Field);
        var bad = PullSecrets.ValidateDockerConfig(new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes("{\"secretvalue\":") })!;
        Assert.DoesNotContain("secretvalue", bad.Message, StringComparison.Ordinal);
    }
}
