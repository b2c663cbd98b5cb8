using Kinlet.Core.Validation;

namespace Kinlet.Core.Tests.Validation;

public class NamesTests
{
    private static readonly string S63 = "a" + new string('b', 62);
    private static readonly string S64 = "a" + new string('b', 63);

    public static TheoryData<string?, bool> Dns1035 => new()
    {
        { "hello", true }, { "a", true }, { "hello-world-2", true }, { "a--b", true }, { S63, true },
        { null, false }, { "", false }, { S64, false }, { "1hello", false }, { "Hello", false }, { "hello-", false },
        { "-hello", false }, { "hello_world", false }, { "hello.world", false }, { "héllo", false },
    };

    [Theory, MemberData(nameof(Dns1035))]
    public void Dns_1035_labels(string? value, bool valid) => Assert.Equal(valid, Names.ValidateDns1035Label(value) is null);

    public static TheoryData<string?, bool> Dns1123 => new()
    {
        { "hello", true }, { "1hello", true }, { "0", true }, { "hello-00001", true }, { S63, true },
        { null, false }, { "", false }, { S64, false }, { "Hello", false }, { "hello-", false }, { "-1", false }, { "a.b", false },
    };

    [Theory, MemberData(nameof(Dns1123))]
    public void Dns_1123_labels(string? value, bool valid) => Assert.Equal(valid, Names.ValidateDns1123Label(value) is null);

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("a.b-c.d", true)]
    [InlineData("default", true)]
    [InlineData("a..b", false)]
    [InlineData(".a", false)]
    [InlineData("A.com", false)]
    [InlineData("a_b.com", false)]
    public void Dns_1123_subdomains(string value, bool valid) => Assert.Equal(valid, Names.ValidateDns1123Subdomain(value) is null);

    [Fact]
    public void Dns_1123_subdomains_are_at_most_253_characters()
    {
        var label = new string('a', 50);
        var ok = string.Join('.', Enumerable.Repeat(label, 4)) + "." + new string('b', 49); // 253
        Assert.Null(Names.ValidateDns1123Subdomain(ok));
        Assert.NotNull(Names.ValidateDns1123Subdomain(ok + "b"));
    }

    [Theory]
    [InlineData("app", true)]
    [InlineData("App_Name.v1", true)]
    [InlineData("app.kubernetes.io/name", true)]
    [InlineData("autoscaling.knative.dev/min-scale", true)]
    [InlineData("serving.knative.dev/no-gc", true)]
    [InlineData("example.com/A", true)]
    [InlineData("", false)]
    [InlineData("/name", false)]
    [InlineData("example.com/", false)]
    [InlineData("a/b/c", false)]
    [InlineData("Example.com/name", false)]
    [InlineData("example.com/-name", false)]
    [InlineData("name-", false)]
    [InlineData("has space", false)]
    public void Qualified_names(string value, bool valid) => Assert.Equal(valid, Names.ValidateQualifiedName(value) is null);

    [Fact]
    public void The_name_part_of_a_qualified_name_is_at_most_63_characters()
    {
        Assert.Null(Names.ValidateQualifiedName("example.com/" + S63));
        Assert.Contains("63", Names.ValidateQualifiedName("example.com/" + S64), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("v1", true)]
    [InlineData("1.2.3", true)]
    [InlineData("A_b-c.D", true)]
    [InlineData("-v1", false)]
    [InlineData("v1.", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    public void Label_values(string? value, bool valid) => Assert.Equal(valid, Names.ValidateLabelValue(value) is null);

    [Theory]
    [InlineData("PATH", true)]
    [InlineData("my_var", true)]
    [InlineData("_private", true)]
    [InlineData("dotted.name", true)]
    [InlineData("-dash", true)]
    [InlineData("A1", true)]
    [InlineData("1A", false)]
    [InlineData("A B", false)]
    [InlineData("A=B", false)]
    [InlineData("", false)]
    [InlineData("ÄRGER", false)]
    public void Env_var_names(string value, bool valid) => Assert.Equal(valid, Names.ValidateEnvVarName(value) is null);

    [Theory]
    [InlineData("nginx")]
    [InlineData("nginx:1.27")]
    [InlineData("library/nginx:latest")]
    [InlineData("docker.io/library/nginx")]
    [InlineData("ghcr.io/knative/helloworld-go:latest")]
    [InlineData("localhost:5000/app")]
    [InlineData("localhost/app:v1")]
    [InlineData("registry.example.com:5000/team/app:v1.2.3-rc_1")]
    [InlineData("Registry.Example.com/app")]
    [InlineData("gcr.io/knative-releases/knative.dev/serving/cmd/queue@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("app:v1@sha256:0123456789abcdef0123456789abcdef")]
    [InlineData("my__app/with-many--dashes.and.dots")]
    [InlineData("kinlet-hello")]
    [InlineData("127.0.0.1:5000/app")]
    public void Accepts_image_references(string image) => Assert.Null(Names.ValidateImageReference(image));

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("nginx latest", "must not contain spaces")]
    [InlineData("Nginx", "lowercase")]
    [InlineData("ghcr.io/Knative/app", "lowercase")]
    [InlineData("app:", "image reference")]
    [InlineData("app:-tag", "image reference")]
    [InlineData(":tag", "image reference")]
    [InlineData("app@sha256:short", "image reference")]
    [InlineData("app//x", "image reference")]
    [InlineData("app/", "image reference")]
    [InlineData("-app", "image reference")]
    [InlineData("app_", "image reference")]
    [InlineData("https://ghcr.io/app", "image reference")]
    public void Rejects_invalid_image_references(string image, string message) =>
        Assert.Contains(message, Names.ValidateImageReference(image), StringComparison.Ordinal);

    [Fact]
    public void Rejects_image_tags_over_128_characters()
    {
        Assert.Null(Names.ValidateImageReference("app:" + new string('t', 128)));
        Assert.NotNull(Names.ValidateImageReference("app:" + new string('t', 129)));
    }
}
