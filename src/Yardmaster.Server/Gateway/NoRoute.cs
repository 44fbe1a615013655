using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// The answer when no endpoint takes a request, in the error shape of its surface (problem details under
/// <c>/api</c>, an OpenAI error elsewhere): 405 with an <c>Allow</c> header when the path is known but not
/// the method, else 404. Needed because the catch-all fallback matches any method, so routing never picks
/// its own 405 endpoint. Thread-safe.
/// </summary>
/// <param name="routes">The app's routes, read on the first request that needs them.</param>
/// <param name="hint">What a 404 adds after "no route for METHOD PATH; ": where the API is.</param>
internal sealed class NoRoute(IEndpointRouteBuilder routes, string hint)
{
    private IReadOnlyList<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)>? _routes;

    public Task WriteAsync(HttpContext http)
    {
        var request = http.Request;
        var api = request.Path.StartsWithSegments("/api");
        var allowed = Allowed(request.Path);
        if (allowed.Count > 0)
        {
            http.Response.Headers.Allow = string.Join(", ", allowed);
            var message = $"{request.Method} is not allowed on {request.Path}; use {string.Join(" or ", allowed)}";
            return api
                ? Problem.WriteAsync(http.Response, 405, message)
                : new OpenAiError(405, message, Code: "method_not_allowed").WriteAsync(http.Response, http.RequestAborted);
        }

        return api
            ? Problem.WriteAsync(http.Response, 404, $"no route for {request.Method} {request.Path}")
            : new OpenAiError(404, $"no route for {request.Method} {request.Path}; {hint}", Code: "not_found")
                .WriteAsync(http.Response, http.RequestAborted);
    }

    /// <summary>The methods of the endpoints whose route matches <paramref name="path"/>, sorted; empty when none does.</summary>
    private List<string> Allowed(PathString path)
    {
        // Read on first use: every endpoint is mapped by then. Two first requests may both build it; either list is right.
        _routes ??= [.. routes.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods))
            .Where(r => r.Methods is { Count: > 0 })
            .Select(r => (new TemplateMatcher(new RouteTemplate(r.Endpoint.RoutePattern), new RouteValueDictionary()), r.Methods!))];
        return [.. _routes.Where(r => r.Matcher.TryMatch(path, new RouteValueDictionary())).SelectMany(r => r.Methods).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
