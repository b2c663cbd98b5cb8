namespace Kinlet.Serving.Revisions;

public readonly record struct RevisionKey(string Namespace, string Name)
{
    public override string ToString() => Namespace == "default" ? Name : $"{Namespace}/{Name}";
}

/// <summary>Why a revision cannot serve right now (Knative's condition reason and message).</summary>
public sealed record RevisionFailure(string Reason, string Message, DateTimeOffset At);
