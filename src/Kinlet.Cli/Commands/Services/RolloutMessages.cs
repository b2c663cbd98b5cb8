namespace Kinlet.Cli.Commands.Services;

/// <summary>kn's sentences after a rollout, so people moving from kn read what they expect.</summary>
internal static class RolloutMessages
{
    /// <param name="previousRevision">The latest ready revision before an update; null for a create.</param>
    public static string Done(Core.Model.Service ready, string verb, string? previousRevision)
    {
        var name = ready.Metadata.Name;
        var revision = ready.Status?.LatestReadyRevisionName ?? ready.Status?.LatestCreatedRevisionName ?? "?";
        var url = ready.Status?.Url ?? "(no URL yet)";
        return previousRevision is not null && previousRevision == revision
            ? $"Service '{name}' with latest revision '{revision}' (unchanged) is available at URL:\n{url}"
            : $"Service '{name}' {verb} to latest revision '{revision}' is available at URL:\n{url}";
    }
}
