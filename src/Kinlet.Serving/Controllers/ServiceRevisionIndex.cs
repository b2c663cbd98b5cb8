using Kinlet.Core.Model;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// Which revisions belong to which service, kept in memory by the write loop so a status refresh reads
/// only that service's revisions instead of listing the namespace. Touched only on the write loop.
/// </summary>
public sealed class ServiceRevisionIndex
{
    private readonly Dictionary<(string Ns, string Service), SortedSet<string>> _byService = [];

    public void Add(Revision revision)
    {
        if (revision.Metadata.Label(KnownKeys.ServiceLabel) is not { } service) return;
        var key = (revision.Metadata.Namespace ?? KnativeApi.DefaultNamespace, service);
        if (!_byService.TryGetValue(key, out var names)) _byService[key] = names = new SortedSet<string>(StringComparer.Ordinal);
        names.Add(revision.Metadata.Name!);
    }

    public void Remove(string ns, string service, string revision)
    {
        if (_byService.TryGetValue((ns, service), out var names) && names.Remove(revision) && names.Count == 0) _byService.Remove((ns, service));
    }

    public void RemoveService(string ns, string service) => _byService.Remove((ns, service));

    public IReadOnlyCollection<string> Of(string ns, string service) =>
        _byService.TryGetValue((ns, service), out var names) ? [.. names] : [];
}
