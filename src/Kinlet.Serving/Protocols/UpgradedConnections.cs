namespace Kinlet.Serving.Protocols;

/// <summary>
/// One revision's open upgraded connections and whether the revision is retired (nothing routes to it, or it was
/// deleted). A change of that state reaches every connection; a connection that opens on a retired revision
/// starts its drain at once. Touched only by upgrades, never by ordinary requests.
/// </summary>
public sealed class UpgradedConnections
{
    private readonly Lock _gate = new();
    private readonly HashSet<UpgradedConnection> _open = [];
    private bool _retired;

    public int Count
    {
        get
        {
            lock (_gate) return _open.Count;
        }
    }

    /// <summary>Adds the connection; true when the revision is retired already.</summary>
    internal bool Add(UpgradedConnection connection)
    {
        lock (_gate)
        {
            _open.Add(connection);
            return _retired;
        }
    }

    internal void Remove(UpgradedConnection connection)
    {
        lock (_gate) _open.Remove(connection);
    }

    internal void SetRetired(bool retired)
    {
        UpgradedConnection[] open;
        lock (_gate)
        {
            if (_retired == retired) return;
            _retired = retired;
            if (_open.Count == 0) return;
            open = [.. _open];
        }
        foreach (var connection in open) connection.RevisionRetired(retired);
    }
}
