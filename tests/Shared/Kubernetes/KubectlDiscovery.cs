using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Yardmaster.Tests.Kubernetes;

/// <summary>
/// What <c>kubectl create --dry-run=client</c> asks a server before it validates a file: legacy discovery (to map
/// <c>batch/v1 Job</c> to its resource) and the OpenAPI v2 document as protobuf (its client-side schema). No OpenAPI v3:
/// a server with v3 that lists <c>fieldValidation</c> makes kubectl leave validation to the server, which a dry run on
/// the client never reaches.
/// </summary>
internal static class KubectlDiscovery
{
    public static void Map(WebApplication app, byte[]? openApi)
    {
        app.MapGet("/version", () => Json(new JsonObject { ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.0-yard-stand-in", ["platform"] = "linux/amd64" }));
        app.MapGet("/api", () => Json(new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") }));
        app.MapGet("/api/v1", () => Json(Resources("v1", ("pods", "Pod", true), ("nodes", "Node", false), ("namespaces", "Namespace", false))));
        app.MapGet("/apis", () => Json(new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray(new JsonObject
            {
                ["name"] = "batch",
                ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = "batch/v1", ["version"] = "v1" }),
                ["preferredVersion"] = new JsonObject { ["groupVersion"] = "batch/v1", ["version"] = "v1" },
            }),
        }));
        app.MapGet("/apis/batch/v1", () => Json(Resources("batch/v1", ("jobs", "Job", true))));
        app.MapGet("/openapi/v2", () => openApi is null ? Results.NotFound() : Results.Bytes(openApi, "application/octet-stream"));
        app.MapGet("/openapi/v3", () => Results.NotFound());
    }

    private static JsonObject Resources(string groupVersion, params (string Name, string Kind, bool Namespaced)[] resources) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = groupVersion,
        ["resources"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Name,
            ["singularName"] = r.Kind.ToLowerInvariant(),
            ["namespaced"] = r.Namespaced,
            ["kind"] = r.Kind,
            ["verbs"] = new JsonArray("create", "delete", "get", "list", "watch"),
        })]),
    };

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json");
}
