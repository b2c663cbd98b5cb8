using System.Globalization;
using Kinlet.Cli.Editing;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Tests.Editing;

/// <summary>
/// kn's traffic semantics, table by table. Targets are written compactly: <c>REV[#TAG]=PCT</c>, with
/// <c>@latest</c> for <c>latestRevision: true</c>; "null" is a service with no spec.traffic.
/// </summary>
public class TrafficEditorTests
{
    private static readonly string[] Known = ["web-00001", "web-00002", "web-00003"];

    public static TheoryData<string, string, string[], string[], string[], string> Cases => new()
    {
        // name, current, --traffic, --tag, --untag, expected
        { "all to latest", "null", ["@latest=100"], [], [], "@latest=100" },
        { "percent sign accepted", "null", ["@latest=100%"], [], [], "@latest=100" },
        {
            "canary split with tags (the issue's example)", "null",
            ["web-00001=90", "@latest=10"], ["web-00001=stable", "@latest=canary"], [],
            "@latest#canary=10, web-00001#stable=90"
        },
        {
            "rollback keeps tagged targets at 0%", "@latest#canary=10, web-00001#stable=90",
            ["web-00001=100"], [], [], "@latest#canary=0, web-00001#stable=100"
        },
        {
            "traffic may name tags", "@latest#canary=10, web-00001#stable=90",
            ["stable=50", "canary=50"], [], [], "@latest#canary=50, web-00001#stable=50"
        },
        { "targets not named get 0 and untagged ones go", "web-00001=50, web-00002=50", ["web-00002=100"], [], [], "web-00002=100" },
        { "a known revision not yet in traffic is added", "null", ["web-00001=20", "@latest=80"], [], [], "@latest=80, web-00001=20" },
        { "tagging @latest tags its target", "null", [], ["@latest=current"], [], "@latest#current=100" },
        { "tagging a revision without a target adds a 0% one", "null", [], ["web-00001=old"], [], "@latest=100, web-00001#old=0" },
        { "a second tag for a tagged revision adds a target", "web-00001#a=100", [], ["web-00001=b"], [], "web-00001#a=100, web-00001#b=0" },
        { "the same tag on the same target changes nothing", "@latest#canary=100", [], ["@latest=canary"], [], "@latest#canary=100" },
        { "untag drops a 0% target", "@latest=100, web-00001#old=0", [], [], ["old"], "@latest=100" },
        { "untag keeps a target that gets traffic", "@latest#x=100", [], [], ["x"], "@latest=100" },
        {
            "untag then tag moves a tag in one command", "web-00001#stable=50, web-00002=50",
            [], ["web-00002=stable"], ["stable"], "web-00001=50, web-00002#stable=50"
        },
        {
            "tags without --traffic keep the percents", "web-00001=60, web-00002=40",
            [], ["web-00002=beta"], [], "web-00001=60, web-00002#beta=40"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Computes_traffic_like_kn(string name, string current, string[] traffic, string[] tags, string[] untags, string expected)
    {
        _ = name;
        var result = TrafficEditor.Compute(Parse(current), new TrafficEdits(traffic, tags, untags), Known, "web");
        Assert.Equal(expected, Format(result));
    }

    public static TheoryData<string, string, string[], string[], string[], string> Errors => new()
    {
        { "percents not summing to 100", "null", ["web-00001=50", "@latest=40"], [], [], "the percents sum to 90; they must sum to 100" },
        { "percents above 100 in total", "null", ["web-00001=60", "@latest=60"], [], [], "sum to 120" },
        { "unknown revision in --traffic", "null", ["web-00009=100"], [], [], "revision 'web-00009' does not exist for service web" },
        { "unknown revision in --tag", "null", [], ["web-00009=x"], [], "--tag: revision 'web-00009' does not exist" },
        { "untag of a missing tag", "@latest=100", [], [], ["nope"], "--untag: 'nope' is not a tag of service web" },
        { "the same reference twice", "null", ["@latest=50", "@latest=50"], [], [], "'@latest' is given more than once" },
        { "the same tag twice", "null", [], ["web-00001=x", "web-00002=x"], [], "tag 'x' is given more than once" },
        { "a percent over 100", "null", ["@latest=101"], [], [], "must be a whole percent from 0 to 100" },
        { "a negative percent", "null", ["@latest=-5"], [], [], "must be a whole percent" },
        { "a percent that is no number", "null", ["@latest=half"], [], [], "must be a whole percent" },
        { "no equals sign", "null", ["web-00001"], [], [], "'web-00001' must be REVISION=PERCENT" },
        { "a tag held by another target", "web-00001#stable=100", [], ["@latest=stable"], [], "tag 'stable' is already on revision web-00001; remove it first with --untag stable" },
        { "a tag that cannot be a host name", "null", [], ["@latest=Bad_Tag"], [], "'Bad_Tag' must be lowercase" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Rejects_bad_traffic_with_a_clear_usage_error(string name, string current, string[] traffic, string[] tags, string[] untags, string expected)
    {
        _ = name;
        var e = Assert.Throws<CliException>(() => TrafficEditor.Compute(Parse(current), new TrafficEdits(traffic, tags, untags), Known, "web"));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Does_not_change_the_current_targets()
    {
        var current = Parse("web-00001#stable=100");
        TrafficEditor.Compute(current, new TrafficEdits(["web-00002=100"], [], ["stable"]), Known, "web");
        Assert.Equal("web-00001#stable=100", Format(current!));
    }

    [Fact]
    public void Drops_status_urls_from_the_spec()
    {
        var current = Parse("@latest#canary=100")!;
        current[0].Url = "http://canary-web.localhost:8080";
        var result = TrafficEditor.Compute(current, new TrafficEdits([], ["web-00001=old"], []), Known, "web");
        Assert.All(result, t => Assert.Null(t.Url));
    }

    private static List<TrafficTarget>? Parse(string compact)
    {
        if (compact == "null") return null;
        return [.. compact.Split(", ").Select(part =>
        {
            var (left, pct) = (part[..part.LastIndexOf('=')], long.Parse(part[(part.LastIndexOf('=') + 1)..], CultureInfo.InvariantCulture));
            var hash = left.IndexOf('#', StringComparison.Ordinal);
            var rev = hash < 0 ? left : left[..hash];
            var tag = hash < 0 ? null : left[(hash + 1)..];
            return rev == "@latest"
                ? new TrafficTarget { LatestRevision = true, Tag = tag, Percent = pct }
                : new TrafficTarget { RevisionName = rev, LatestRevision = false, Tag = tag, Percent = pct };
        })];
    }

    private static string Format(IEnumerable<TrafficTarget> targets) =>
        string.Join(", ", targets.Select(t =>
            $"{(t.LatestRevision == true ? "@latest" : t.RevisionName)}{(t.Tag is null ? "" : "#" + t.Tag)}={t.Percent ?? 0}"));
}
