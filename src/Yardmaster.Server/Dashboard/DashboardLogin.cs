using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using System.Globalization;
using System.Text.Json;
using Yardmaster.Server.Gateway;

namespace Yardmaster.Server.Dashboard;

/// <summary>
/// <c>POST /login</c> (<c>{"token": "..."}</c>: an admin key or the generated admin token) opens a session and
/// sets its cookie (<c>HttpOnly; SameSite=Strict; Path=/</c>, <c>Secure</c> on https); a wrong token is a 401
/// and sets nothing. <c>POST /logout</c> ends the session and clears the cookie. Both are JSON POSTs, so
/// <see cref="BrowserRules"/> (415 without <c>application/json</c>, 403 for a foreign Origin) holds for them too.
/// </summary>
/// <remarks>Thread-safe (its parts are).</remarks>
internal sealed class DashboardLogin(ApiKeys keys, DashboardSessions sessions, LoginBackoff backoff, long maxBody)
{
    /// <summary>
    /// True when a request to <c>/api/*</c> carries no <c>Authorization</c> header and a valid session cookie:
    /// it is then an admin request, as with the bearer key. A request with a bearer key is judged by that key alone.
    /// </summary>
    public bool Authenticates(HttpRequest request) =>
        request.Headers.Authorization.Count == 0 && sessions.IsValid(request);

    /// <summary>Maps the two endpoints.</summary>
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/login", LoginAsync);
        routes.MapPost("/logout", LogoutAsync);
    }

    private async Task LoginAsync(HttpContext http)
    {
        var response = http.Response;
        DashboardAssets.Secure(response);
        response.Headers.CacheControl = "no-store";
        if (backoff.Wait() is { } wait && wait > TimeSpan.Zero)
        {
            response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await Problem.WriteAsync(response, 429, $"too many failed logins; try again in {Math.Ceiling(wait.TotalSeconds)} s").ConfigureAwait(false);
            return;
        }

        if (await ReadTokenAsync(http).ConfigureAwait(false) is not { } token)
        {
            return;
        }

        if (!keys.IsAdminKey(token))
        {
            backoff.Failed();
            await Problem.WriteAsync(response, 401, "wrong admin token").ConfigureAwait(false);
            return;
        }

        backoff.Succeeded();
        var (id, expires) = sessions.Open();
        response.Cookies.Append(DashboardSessions.CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Secure = http.Request.IsHttps,
            MaxAge = DashboardSessions.Lifetime,
        });
        await JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("expires_at", expires);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private Task LogoutAsync(HttpContext http)
    {
        var response = http.Response;
        DashboardAssets.Secure(response);
        response.Headers.CacheControl = "no-store";
        sessions.Close(http.Request.Cookies[DashboardSessions.CookieName]);
        response.Cookies.Delete(DashboardSessions.CookieName, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", Secure = http.Request.IsHttps });
        response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private async Task<string?> ReadTokenAsync(HttpContext http)
    {
        var body = http.Request.ContentLength > maxBody ? null : await JsonBody.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await Problem.WriteAsync(http.Response, 413, $"the body is larger than {maxBody} bytes").ConfigureAwait(false);
            return null;
        }

        var (document, invalid) = JsonBody.Parse(body);
        using (document)
        {
            if (document is null)
            {
                await Problem.WriteAsync(http.Response, 400, invalid!.Message).ConfigureAwait(false);
                return null;
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("token", out var token)
                || token.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(token.GetString()))
            {
                await Problem.WriteAsync(http.Response, 400, "send {\"token\": \"<admin token>\"}: the field 'token' must be a non-empty string").ConfigureAwait(false);
                return null;
            }

            return token.GetString()!.Trim();
        }
    }
}
