using System.CommandLine;
using Kinlet.Cli.Editing;

namespace Kinlet.Cli.Commands.Services;

/// <summary><c>--traffic</c>, <c>--tag</c>, <c>--untag</c> of <c>service update</c>, as in kn.</summary>
internal sealed class TrafficOptions
{
    public Option<string[]> Traffic { get; } = TemplateOptions.Many("--traffic", null,
        "Percent of traffic for a revision (or @latest or a tag): REVISION=PERCENT; all given must sum to 100, the rest get 0", "REVISION=PERCENT");

    public Option<string[]> Tag { get; } = TemplateOptions.Many("--tag", null,
        "Tag a revision (or @latest); it gets its own URL <tag>-<service>.<domain>", "REVISION=TAG");

    public Option<string[]> Untag { get; } = TemplateOptions.Many("--untag", null, "Remove a tag", "TAG");

    public void AddTo(Command command)
    {
        command.Add(Traffic);
        command.Add(Tag);
        command.Add(Untag);
    }

    public TrafficEdits Read(ParseResult r) => new(r.GetValue(Traffic) ?? [], r.GetValue(Tag) ?? [], r.GetValue(Untag) ?? []);
}
