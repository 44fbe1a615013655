using System.Globalization;
using System.Text.Json.Nodes;
using Yardmaster.Runtime.Configuration;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>A YAML node as a step sees it in <c>$YARD_ITEM</c>: a scalar's text, a mapping's or list's compact JSON.</summary>
internal static class ConfigNodeJson
{
    public static string Text(ConfigNode node) => node.Kind == ConfigNodeKind.Scalar ? node.Value : Json(node)?.ToJsonString() ?? "null";

    private static JsonNode? Json(ConfigNode node)
    {
        switch (node.Kind)
        {
            case ConfigNodeKind.Mapping:
                var o = new JsonObject();
                foreach (var (key, value) in node.Entries)
                {
                    o[key.Value] = Json(value);
                }

                return o;
            case ConfigNodeKind.Sequence:
                return new JsonArray([.. node.Items.Select(Json)]);
            default:
                if (node.IsNull)
                {
                    return null;
                }

                if (node.Plain && node.Value is "true" or "false")
                {
                    return JsonValue.Create(node.Value == "true");
                }

                return node.Plain && double.TryParse(node.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? JsonValue.Create(number)
                    : JsonValue.Create(node.Value);
        }
    }
}
