using Kinlet.Core.Model;
using Kinlet.Eventing.Controllers;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Delivery;

/// <summary>
/// Turns a Knative destination (<c>ref</c> and/or <c>uri</c>) into a URL: a Service through the router at its host
/// (so it scales from zero), a Broker at its ingress, a <c>uri</c> as written (or as a path under the ref).
/// </summary>
public sealed class SinkResolver(BrokerController brokers, IOptions<EventingOptions> options)
{
    private readonly EventingOptions _options = options.Value;

    public string? Uri(Destination? destination, string @namespace)
    {
        if (destination is null) return null;
        if (destination.Ref is not { } r) return destination.Uri;
        var ns = r.Namespace ?? @namespace;
        var path = destination.Uri ?? "";
        if (path.Length > 0 && path[0] != '/') path = "/" + path;
        return r.Kind == "Broker"
            ? brokers.Url(ns, r.Name!) + path
            : $"http://{(ns == KnativeApi.DefaultNamespace ? r.Name : r.Name + "." + ns)}.{_options.Domain}:{_options.IngressPort}{path}";
    }

    public SinkTarget? Target(Destination? destination, string @namespace) =>
        SinkTarget.From(Uri(destination, @namespace), _options.Domain, _options.IngressPort, _options.IngressConnectAddress);
}
