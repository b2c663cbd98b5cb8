using Kinlet.Core.Model;
using Kinlet.Serving.TrafficPolicy;

namespace Kinlet.Serving.Tests.TrafficPolicy;

public sealed class PolicyHostsTests
{
    private static IReadOnlyCollection<string>? Tags(string ns, string name) =>
        (ns, name) switch
        {
            ("default", "web") => ["canary"],
            ("shop", "cart") => [],
            _ => null,
        };

    [Theory]
    [InlineData("web", "default", "default", "web", null)]
    [InlineData("web.default", "shop", "default", "web", null)]
    [InlineData("web.default.svc", "shop", "default", "web", null)]
    [InlineData("web.default.svc.cluster.local", "shop", "default", "web", null)]
    [InlineData("web.localhost", "shop", "default", "web", null)]
    [InlineData("WEB.LOCALHOST.", "default", "default", "web", null)]
    [InlineData("cart.shop.localhost", "default", "shop", "cart", null)]
    [InlineData("cart", "shop", "shop", "cart", null)]
    [InlineData("canary-web", "default", "default", "web", "canary")]
    [InlineData("canary-web.default.svc.cluster.local", "shop", "default", "web", "canary")]
    [InlineData("canary-web.localhost", "default", "default", "web", "canary")]
    public void Every_name_a_cluster_user_gives_a_service_resolves(string host, string ns, string service_ns, string service, string? tag) =>
        Assert.Equal(new HostTarget(service_ns, service, tag), PolicyHosts.Resolve(host, ns, "localhost", Tags));

    [Theory]
    [InlineData("nothing")]
    [InlineData("beta-web")]
    [InlineData("a.b.c.example.com")]
    public void A_host_that_names_no_service_or_tag_does_not_resolve(string host) =>
        Assert.Null(PolicyHosts.Resolve(host, "default", "localhost", Tags));

    [Fact]
    public void Subsets_select_the_newest_revision_their_labels_match()
    {
        Revision Rev(string name, int gen, string? version) => new()
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Labels = version is null
                    ? new() { [KnownKeys.ConfigurationGenerationLabel] = gen.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                    : new() { [KnownKeys.ConfigurationGenerationLabel] = gen.ToString(System.Globalization.CultureInfo.InvariantCulture), ["version"] = version },
            },
        };
        Revision[] revisions = [Rev("web-00001", 1, "v1"), Rev("web-00002", 2, "v1"), Rev("web-00003", 3, "v2")];
        (string, string)[] tags = [("stable", "web-00001")];
        Assert.Equal("web-00002", SubsetSelector.Select(new Dictionary<string, string> { ["version"] = "v1" }, revisions, tags));
        Assert.Equal("web-00001", SubsetSelector.Select(new Dictionary<string, string> { [KnownKeys.RevisionLabel] = "web-00001" }, revisions, tags));
        Assert.Equal("web-00001", SubsetSelector.Select(new Dictionary<string, string> { [KnownKeys.TagLabel] = "stable" }, revisions, tags));
        Assert.Null(SubsetSelector.Select(new Dictionary<string, string> { ["version"] = "v3" }, revisions, tags));
    }
}
