using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// The serving resources' API for the daemon: reads go to <see cref="ServiceQueries"/> directly; writes
/// run on <see cref="ServingWriteLoop"/> through <see cref="ServiceWriter"/>, and deletes then wait (bounded)
/// until the reconcile loop has stopped the revisions' instances.
/// </summary>
public sealed class ServiceController(ServiceQueries queries, ServiceWriter writer, ServingWriteLoop writes)
{
    public Task InitializeAsync() => writes.RunAsync(() =>
    {
        writer.Initialize();
        return true;
    });

    public IReadOnlyList<Service> List(string? @namespace) => queries.List(@namespace);

    public Service Get(string @namespace, string name) => queries.Get(@namespace, name);

    public IReadOnlyList<Revision> ListRevisions(string? @namespace, string? service) => queries.ListRevisions(@namespace, service);

    public Revision GetRevision(string @namespace, string name) => queries.GetRevision(@namespace, name);

    public IReadOnlyList<Configuration> ListConfigurations(string? @namespace) => queries.ListConfigurations(@namespace);

    public Configuration GetConfiguration(string @namespace, string name) => queries.GetConfiguration(@namespace, name);

    public IReadOnlyList<Route> ListRoutes(string? @namespace) => queries.ListRoutes(@namespace);

    public Route GetRoute(string @namespace, string name) => queries.GetRoute(@namespace, name);

    public Task<Service> CreateAsync(Service input) => writes.RunAsync(() => writer.Create(input));

    public Task<Service> ReplaceAsync(Service input) => writes.RunAsync(() => writer.Replace(input));

    /// <summary>Deletes the service and its revisions, and returns once their containers are gone (bounded).</summary>
    public async Task<Service> DeleteAsync(string @namespace, string name, TimeSpan bound, CancellationToken cancellationToken)
    {
        var (service, stopping) = await writes.RunAsync(() => writer.Delete(@namespace, name)).ConfigureAwait(false);
        await WaitForNoInstancesAsync(stopping, bound, cancellationToken).ConfigureAwait(false);
        return service;
    }

    public async Task<Revision> DeleteRevisionAsync(string @namespace, string name, TimeSpan bound, CancellationToken cancellationToken)
    {
        var (revision, state) = await writes.RunAsync(() => writer.DeleteRevision(@namespace, name)).ConfigureAwait(false);
        if (state is not null) await WaitForNoInstancesAsync([state], bound, cancellationToken).ConfigureAwait(false);
        return revision;
    }

    private async Task WaitForNoInstancesAsync(List<RevisionState> states, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(bound);
        try
        {
            foreach (var state in states)
            {
                while (true)
                {
                    var changed = state.Changed;
                    if (state.Instances().Length == 0) break;
                    await changed.WaitAsync(cts.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Bounded: the reconciler keeps going; the caller gets its answer.
        }
    }

}
