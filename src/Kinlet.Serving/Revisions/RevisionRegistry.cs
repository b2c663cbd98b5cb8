using System.Collections.Concurrent;
using Kinlet.Core.Model;
using Kinlet.Serving.LoadBalancing;

namespace Kinlet.Serving.Revisions;

/// <summary>Every revision the daemon knows at runtime, by key.</summary>
public sealed class RevisionRegistry
{
    private readonly ConcurrentDictionary<RevisionKey, RevisionState> _states = new();

    public RevisionState GetOrAdd(Revision revision)
    {
        var key = new RevisionKey(revision.Metadata.Namespace ?? KnativeApi.DefaultNamespace, revision.Metadata.Name!);
        var state = _states.GetOrAdd(key, k => new RevisionState(k, revision, LoadBalancingPolicies.For((int)(revision.Spec.ContainerConcurrency ?? 0))));
        return state;
    }

    public RevisionState? Find(RevisionKey key) => _states.TryGetValue(key, out var s) ? s : null;

    public RevisionState? Find(string @namespace, string name) => Find(new RevisionKey(@namespace, name));

    public IReadOnlyCollection<RevisionState> All => (IReadOnlyCollection<RevisionState>)_states.Values;

    /// <summary>Forgets a deleted revision once nothing of it runs.</summary>
    public void Remove(RevisionState state) => _states.TryRemove(new KeyValuePair<RevisionKey, RevisionState>(state.Key, state));
}
