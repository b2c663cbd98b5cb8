using System.Collections.Frozen;
using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>Where a route's destination leads: a revision picked per request, or why there is none.</summary>
public abstract class DestinationTarget
{
    public abstract RevisionState? Pick(HttpContext context);

    /// <summary>The 503's text when <see cref="Pick"/> finds no revision.</summary>
    public abstract string Unavailable { get; }
}

/// <summary>
/// The service itself: its Knative traffic split, and Knative's tag-header routing (<c>Knative-Serving-Tag: TAG</c> with
/// a tag of the service picks the tagged revision; an unknown tag falls back to the split, as Knative does).
/// </summary>
internal sealed class ServiceTarget(RouteEntry main, FrozenDictionary<string, RouteEntry> tags) : DestinationTarget
{
    private readonly FrozenDictionary<string, RouteEntry>.AlternateLookup<ReadOnlySpan<char>> _tags = tags.GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly bool _hasTags = tags.Count > 0;

    public override RevisionState? Pick(HttpContext context)
    {
        if (_hasTags)
        {
            var header = context.Request.Headers[KnownKeys.TagHeader];
            if (header.Count > 0 && header[0] is { Length: > 0 } tag && _tags.TryGetValue(tag.AsSpan().Trim(), out var tagged) && tagged.Pick() is { } revision)
                return revision;
        }
        return main.Pick();
    }

    public override string Unavailable => main.UnavailableReason ?? $"service \"{main.Service}\" has no revision to serve it";
}

/// <summary>A tag host (or any one route entry): the revision behind it, whatever the headers say.</summary>
internal sealed class EntryTarget(RouteEntry entry) : DestinationTarget
{
    public override RevisionState? Pick(HttpContext context) => entry.Pick();

    public override string Unavailable => entry.UnavailableReason ?? $"tag \"{entry.Tag}\" of service \"{entry.Service}\" has no revision";
}

/// <summary>A DestinationRule subset: the revision its labels select, fixed until the rule or the service changes.</summary>
internal sealed class RevisionTarget(RevisionState revision) : DestinationTarget
{
    public override RevisionState? Pick(HttpContext context) => revision;

    public override string Unavailable => $"revision {revision.Key.Name} is not available";
}

/// <summary>A host that names no service, or a subset that selects no revision: 503 with the reason.</summary>
internal sealed class MissingTarget(string reason) : DestinationTarget
{
    public override RevisionState? Pick(HttpContext context) => null;

    public override string Unavailable => reason;
}

/// <summary>One <c>route[]</c> entry compiled: its target, share, header edits, and the DestinationRule's balancer for it.</summary>
public sealed record WeightedDestination(
    DestinationTarget Target, int Weight, int Cumulative, HeaderEdits? RequestEdits, HeaderEdits? ResponseEdits, InstancePicker? Picker, string Label,
    Resilience.DestinationResilience? Resilience = null);
