using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kinlet.Core.Json;

/// <summary>
/// JSON with keys sorted and nulls, empty lists and empty mappings left out, so two values that mean
/// the same thing give the same text whatever their key order or spelling of "nothing".
/// </summary>
public static class CanonicalJson
{
    public static string Of<T>(T value) => Of(JsonSerializer.SerializeToNode(value, KinletJson.Options));

    public static string Of(JsonNode? node) => Normalize(node)?.ToJsonString() ?? "{}";

    public static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var sorted = new JsonObject();
                foreach (var (key, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    var child = Normalize(value);
                    if (child is not null) sorted[key] = child;
                }
                return sorted.Count == 0 ? null : sorted;
            case JsonArray a:
                var items = new JsonArray();
                // Items keep their place (env order matters); an item that says nothing stays as {} to hold it.
                foreach (var item in a) items.Add(Normalize(item) ?? new JsonObject());
                return items.Count == 0 ? null : items;
            case null:
                return null;
            default:
                return node.DeepClone();
        }
    }
}
