using Kinlet.Core.Model;
using Kinlet.Store;
using Kinlet.Store.Secrets;

namespace Kinlet.Serving.Reconciler;

/// <summary><see cref="IConfigLookup"/> over the secret store and the resource store (either may be absent in tests).</summary>
public sealed class StoreConfigLookup(ISecretStore? secrets, IResourceStore? resources) : IConfigLookup
{
    public IReadOnlyDictionary<string, byte[]>? Secret(string @namespace, string name) => secrets?.Get(@namespace, name)?.Data;

    public ConfigMap? ConfigMap(string @namespace, string name) => resources?.Get<ConfigMap>(Kinds.ConfigMap, @namespace, name);
}
