using System.Net.Http.Headers;
using Yardmaster.Core.Cluster;
using Yardmaster.Server.Gateway;

namespace Yardmaster.Server.Cluster;

/// <summary>
/// Sends a request that needs the job scheduler (submit, cancel, retry) from a follower to the leader, as the client
/// sent it (method, path, query, body, <c>Authorization</c>, <c>Content-Type</c>, <c>X-Request-Id</c>), and relays the
/// leader's answer. With no leader (an election under way, at most one lease long), or a leader that does not answer,
/// it answers 503 with <c>Retry-After</c>. A forwarded request is never forwarded again (a header marks it), so two
/// instances that each believe the other leads cannot bounce a request between them.
/// </summary>
internal sealed class LeaderProxy(IClusterStore store, Func<string> self, TimeSpan lease, HttpClient client)
{
    /// <summary>The header a forwarded request carries: the id of the instance that forwarded it.</summary>
    public const string ForwardedHeader = "X-Yard-Forwarded-By";

    private static readonly string[] _copiedHeaders = ["Authorization", "X-Request-Id", "Idempotency-Key"];

    /// <summary>Forwards <paramref name="http"/>'s request to the leader and writes its answer.</summary>
    public async Task ForwardAsync(HttpContext http)
    {
        var retryAfter = Math.Max(1, (int)Math.Ceiling(lease.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        LeaderLease? leader;
        try
        {
            leader = await store.LeaderAsync(http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            http.Response.Headers.RetryAfter = retryAfter;
            await Problem.WriteAsync(http.Response, 503, "the shared store did not answer, so the leader is unknown: " + e.Message).ConfigureAwait(false);
            return;
        }

        if (leader is null || leader.HolderId == self() || http.Request.Headers.ContainsKey(ForwardedHeader))
        {
            http.Response.Headers.RetryAfter = retryAfter;
            await Problem.WriteAsync(http.Response, 503, "no instance leads the job scheduler at this moment (a new leader is elected within store.lease); nothing was changed, send it again").ConfigureAwait(false);
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), new Uri(new Uri(leader.HolderUrl), http.Request.Path + http.Request.QueryString));
        foreach (var name in _copiedHeaders)
        {
            if (http.Request.Headers.TryGetValue(name, out var value))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        request.Headers.TryAddWithoutValidation(ForwardedHeader, self());
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted).ConfigureAwait(false);
        if (body.Length > 0 || http.Request.ContentType is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
            if (http.Request.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var media))
            {
                request.Content.Headers.ContentType = media;
            }
        }

        HttpResponseMessage answer;
        try
        {
            answer = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !http.RequestAborted.IsCancellationRequested)
        {
            http.Response.Headers.RetryAfter = retryAfter;
            await Problem.WriteAsync(http.Response, 503, $"the leader ({leader.HolderId} at {leader.HolderUrl}) did not answer: {e.Message}; if it is gone, another instance takes over within store.lease").ConfigureAwait(false);
            return;
        }

        using (answer)
        {
            http.Response.StatusCode = (int)answer.StatusCode;
            http.Response.Headers[ForwardedHeader] = leader.HolderId;
            if (answer.Headers.Location is { } location)
            {
                http.Response.Headers.Location = location.ToString();
            }

            if (answer.Content.Headers.ContentType is { } contentType)
            {
                http.Response.ContentType = contentType.ToString();
            }

            await answer.Content.CopyToAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
        }
    }
}
