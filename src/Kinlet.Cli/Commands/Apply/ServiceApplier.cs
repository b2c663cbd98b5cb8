using Kinlet.Cli.Api;
using Kinlet.Cli.Editing;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Apply;

/// <summary>What applying one desired service did: the service as the daemon holds it, and the verb for it.</summary>
internal sealed record AppliedService(Service Result, string Action, Service? Previous);

/// <summary>
/// Declarative create-or-update of one service, shared by <c>kinlet apply</c> and <c>kinlet deploy</c>: create it when
/// missing, leave it alone when its desired state is the same (no new revision), replace it otherwise.
/// </summary>
internal static class ServiceApplier
{
    public const string Created = "created";
    public const string Unchanged = "unchanged";
    public const string Configured = "configured";

    /// <param name="desired">The typed service, to compare with what the daemon holds.</param>
    /// <param name="body">What is sent: the same service, or the manifest as written.</param>
    public static async Task<AppliedService> ApplyAsync(ApiClient api, string ns, string name, Service desired, object body, CancellationToken ct)
    {
        var existing = await api.FindServiceAsync(ns, name, ct).ConfigureAwait(false);
        if (existing is null)
            return new AppliedService(await api.CreateServiceAsync(ns, body, ct).ConfigureAwait(false), Created, null);
        if (SpecComparer.SameDesiredState(existing, desired))
            return new AppliedService(existing, Unchanged, existing);
        return new AppliedService(await api.ReplaceServiceAsync(ns, name, body, ct).ConfigureAwait(false), Configured, existing);
    }
}
