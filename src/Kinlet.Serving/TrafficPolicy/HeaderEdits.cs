using Kinlet.Core.Model;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>
/// <c>headers.request</c> or <c>headers.response</c>: remove first, then set, then add (Envoy's order, so a rule can
/// remove and set the same header).
/// </summary>
public sealed class HeaderEdits
{
    private readonly string[] _remove;
    private readonly KeyValuePair<string, string>[] _set;
    private readonly KeyValuePair<string, string>[] _add;

    private HeaderEdits(string[] remove, KeyValuePair<string, string>[] set, KeyValuePair<string, string>[] add)
    {
        _remove = remove;
        _set = set;
        _add = add;
    }

    public static HeaderEdits? From(HeaderOperations? ops) =>
        ops is null || (ops.Remove is not { Count: > 0 } && ops.Set is not { Count: > 0 } && ops.Add is not { Count: > 0 })
            ? null
            : new HeaderEdits([.. ops.Remove ?? []], [.. ops.Set ?? []], [.. ops.Add ?? []]);

    public void Apply(IHeaderDictionary headers)
    {
        foreach (var name in _remove) headers.Remove(name);
        foreach (var (name, value) in _set) headers[name] = value;
        foreach (var (name, value) in _add) headers.Append(name, value);
    }

    /// <summary>Response edits run when the response starts (after the function's headers are copied, before they are sent).</summary>
    public static void OnResponse(HttpContext context, HeaderEdits? first, HeaderEdits? second)
    {
        if (first is null && second is null) return;
        context.Response.OnStarting(static state =>
        {
            var (response, a, b) = ((HttpResponse, HeaderEdits?, HeaderEdits?))state;
            a?.Apply(response.Headers);
            b?.Apply(response.Headers);
            return Task.CompletedTask;
        }, (context.Response, first, second));
    }
}
