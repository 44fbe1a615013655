using System.Net;
using System.Net.Http.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Dashboard;

/// <summary>A browser-like client of a gateway: no bearer key, no cookie jar (the test reads <c>Set-Cookie</c> and sends <c>Cookie</c> itself).</summary>
internal sealed class DashboardClient(GatewayHarness gateway) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = gateway.Url, Timeout = TimeSpan.FromSeconds(60) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The session cookie (<c>name=value</c>) from the last successful login, sent with every request.</summary>
    public string? Cookie { get; set; }

    /// <summary>POSTs <c>{"token": token}</c> to <c>/login</c>; keeps the session cookie when one is set.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string token)
    {
        var response = await SendAsync(HttpMethod.Post, "/login", JsonContent.Create(new { token }));
        if (SessionCookie(response) is { } header)
        {
            Cookie = header.Split(';')[0];
        }

        return response;
    }

    /// <summary>The <c>Set-Cookie</c> header of the session, if the answer has one.</summary>
    public static string? SessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault(v => v.StartsWith("yard_session=", StringComparison.Ordinal)) : null;

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (Cookie is not null)
        {
            request.Headers.Add("Cookie", Cookie);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _http.SendAsync(request, Ct);
    }

    public async Task<HttpStatusCode> StatusAsync(string path)
    {
        using var response = await GetAsync(path);
        return response.StatusCode;
    }

    public void Dispose() => _http.Dispose();
}
