using Microsoft.Extensions.Primitives;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// What keeps a web page in the operator's browser from reaching a handler: a request whose <c>Origin</c> is
/// neither the server's own nor in <c>server.cors_origins</c> gets 403; on a loopback bind a <c>Host</c> that is
/// not a loopback name or the configured host gets 403 (DNS rebinding); a POST, PUT, PATCH or DELETE without
/// <c>Content-Type: application/json</c> gets 415, so no cross-site form or <c>text/plain</c> POST is read.
/// </summary>
/// <remarks>
/// Pages of a configured origin get CORS answers (preflight and <c>Access-Control-Allow-Origin</c>). Thread-safe
/// (immutable).
/// </remarks>
internal sealed class BrowserRules(ServerSettings server)
{
    private readonly bool _loopbackBind = ExposureRule.IsLoopback(server.Host);
    private readonly HashSet<string> _origins = new(server.CorsOrigins, StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when the request may go on; else the status and message of the refusal.</summary>
    public (int Status, string Message)? Check(HttpRequest request)
    {
        if (_loopbackBind && request.Host.HasValue && !IsLocalHost(request.Host))
        {
            return (403, $"Host '{request.Host}' is not this server: a server bound to {server.Host} answers only Host 127.0.0.1, localhost or [::1] (protection against DNS rebinding); bind another address with --host and keys to serve other names");
        }

        if (Origin(request) is { } origin && !IsOwnOrigin(request, origin) && !_origins.Contains(origin))
        {
            return (403, $"cross-origin request from '{origin}' refused; to let pages of that origin call this server, add it to server.cors_origins");
        }

        if (HasBodyMethod(request.Method) && !IsJson(request.ContentType))
        {
            return (415, $"Content-Type must be application/json for {request.Method} (got {(string.IsNullOrEmpty(request.ContentType) ? "none" : $"'{request.ContentType}'")}); with curl, use --json or -H 'Content-Type: application/json'");
        }

        return null;
    }

    /// <summary>
    /// Answers a CORS preflight from a configured origin (true: the request is done), and marks the answers to
    /// a configured origin's requests as readable by its pages.
    /// </summary>
    public bool TryAnswerCors(HttpContext http)
    {
        if (Origin(http.Request) is not { } origin || !_origins.Contains(origin))
        {
            return false;
        }

        var headers = http.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.Vary = "Origin";
        if (!HttpMethods.IsOptions(http.Request.Method) || StringValues.IsNullOrEmpty(http.Request.Headers.AccessControlRequestMethod))
        {
            return false;
        }

        headers.AccessControlAllowMethods = "GET, POST, PUT, PATCH, DELETE";
        headers.AccessControlAllowHeaders = "Authorization, Content-Type, X-Yard-Deadline-Ms, X-Yard-Priority";
        headers.AccessControlMaxAge = "600";
        http.Response.StatusCode = 204;
        return true;
    }

    private static string? Origin(HttpRequest request) => request.Headers.Origin is { Count: > 0 } o ? o.ToString() : null;

    private bool IsLocalHost(HostString hostAndPort)
    {
        // The names clients send to a loopback server, compared without allocating (this runs for every request).
        var value = hostAndPort.Value.AsSpan();
        var colon = value.LastIndexOf(':');
        var name = colon > 0 && value.IndexOf(']') < colon ? value[..colon] : value;
        if (name.Equals("127.0.0.1", StringComparison.Ordinal) || name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.Equals("[::1]", StringComparison.Ordinal))
        {
            return true;
        }

        var host = hostAndPort.Host;
        return ExposureRule.IsLoopback(host.Trim('[', ']')) || string.Equals(host, server.Host, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private static bool HasBodyMethod(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase) // what clients send, without parsing
            || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase)
            || (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
                && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)));
}
