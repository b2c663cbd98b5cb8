namespace Kinlet.Serving.Controllers;

/// <summary>
/// The one lock the service pieces share: a service's documents, its revisions' status and the
/// route table move together, so writer, status recorder and refresher take turns. Never held
/// across an await.
/// </summary>
public sealed class ServiceWriteGate
{
    public Lock Lock { get; } = new();
}
