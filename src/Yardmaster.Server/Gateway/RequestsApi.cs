using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// <c>GET /api/requests</c> (the queued and running requests) and <c>GET /api/requests/{id}</c> (one request's
/// decision trace, while live and for the last finished ones; 404 naming the id otherwise). Admin only, as all of /api.
/// </summary>
internal sealed class RequestsApi(ServingScheduler scheduler, TimeProvider time)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/requests", (HttpContext http) => JsonResponse.WriteAsync(http, json => RequestsJson.WriteList(json, scheduler.Requests(), time.GetUtcNow())));
        routes.MapGet("/api/requests/{id}", (HttpContext http, string id) => scheduler.Trace(id) is { } trace
            ? JsonResponse.WriteAsync(http, json => RequestsJson.WriteTrace(json, trace))
            : Problem.WriteAsync(http.Response, 404, $"request '{id}' not found: no live request has this id, and it is not among the last finished ones kept"));
    }
}
