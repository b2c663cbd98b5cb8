using Kinlet.Core.Validation;
using static Kinlet.Core.Tests.TestManifests;
using static Kinlet.Core.Tests.Validation.ValidationAssert;

namespace Kinlet.Core.Tests.Validation;

public class TrafficValidationTests
{
    [Theory]
    [InlineData("[]")]
    [InlineData("[{percent: 100}]")]
    [InlineData("[{latestRevision: true, percent: 100}]")]
    [InlineData("[{revisionName: hello-00001, percent: 100}]")]
    [InlineData("[{revisionName: hello-00001, latestRevision: false, percent: 40}, {latestRevision: true, percent: 60}]")]
    [InlineData("[{revisionName: hello-00001, percent: 100}, {latestRevision: true, percent: 0, tag: next}]")]
    [InlineData("[{revisionName: hello-00001, percent: 50, tag: a}, {revisionName: hello-00001, percent: 50, tag: b}]")]
    public void Accepts_valid_traffic(string traffic) => Accepts(Service(traffic: traffic));

    [Fact]
    public void Rejects_latest_revision_together_with_a_revision_name() =>
        Rejects(Service(traffic: "[{latestRevision: true, revisionName: hello-00001, percent: 100}]"), "spec.traffic[0].latestRevision", "must not be true");

    [Fact]
    public void Rejects_latest_revision_false_without_a_revision_name() =>
        Rejects(Service(traffic: "[{latestRevision: false, percent: 100}]"), "spec.traffic[0].latestRevision", "must be true");

    [Theory]
    [InlineData(-10)]
    [InlineData(101)]
    public void Rejects_a_percent_out_of_range(int percent) =>
        Rejects(Service(traffic: $"[{{percent: {percent}}}, {{revisionName: hello-00001, percent: {100 - percent}}}]"), "spec.traffic[0].percent", "between 0 and 100");

    [Theory]
    [InlineData("[{percent: 90}]", "not 90")]
    [InlineData("[{percent: 60}, {revisionName: hello-00001, percent: 60}]", "not 120")]
    [InlineData("[{revisionName: hello-00001, tag: old}]", "not 0")]
    public void Rejects_percents_that_do_not_sum_to_100(string traffic, string message) =>
        Rejects(Service(traffic: traffic), "spec.traffic", message);

    [Fact]
    public void Rejects_a_duplicate_tag() =>
        Rejects(Service(traffic: "[{percent: 50, tag: blue}, {revisionName: hello-00001, percent: 50, tag: blue}]"), "spec.traffic[1].tag", "duplicate tag \"blue\"");

    [Theory]
    [InlineData("Blue")]
    [InlineData("1st")]
    [InlineData("blue_green")]
    public void Rejects_a_tag_that_is_not_a_dns_label(string tag) =>
        Rejects(Service(traffic: $"[{{percent: 100, tag: '{tag}'}}]"), "spec.traffic[0].tag", "DNS-1035");

    [Fact]
    public void Rejects_a_tag_whose_host_label_would_be_too_long() =>
        Rejects(Service(metadata: "name: " + new string('s', 50), traffic: "[{percent: 100, tag: " + new string('t', 13) + "}]"), "spec.traffic[0].tag", "at most 63");

    [Fact]
    public void Rejects_a_configuration_name_in_a_service() =>
        Rejects(Service(traffic: "[{configurationName: hello, percent: 100}]"), "spec.traffic[0].configurationName", "must not set the field(s)");

    [Fact]
    public void Rejects_a_url_on_input() =>
        Rejects(Service(traffic: "[{percent: 100, tag: a, url: 'http://a-hello.localhost'}]"), "spec.traffic[0].url", "must not set the field(s)");

    [Fact]
    public void Rejects_a_revision_of_another_service() =>
        Rejects(Service(traffic: "[{revisionName: world-00001, percent: 100}]"), "spec.traffic[0].revisionName", "must start with \"hello-\"");

    [Fact]
    public void Rejects_a_null_target() => Rejects(Service(traffic: "[null, {percent: 100}]"), "spec.traffic[0]", "required");

    [Fact]
    public void Validates_traffic_on_its_own_with_a_custom_path()
    {
        var errors = TrafficValidator.Validate("hello", [new() { RevisionName = "hello-1", Percent = 50 }], "traffic");

        Assert.Equal(["traffic"], errors.Select(e => e.Field));
    }
}
