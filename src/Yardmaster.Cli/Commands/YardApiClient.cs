using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// HTTP calls to a running <c>yard serve</c> with the right key per surface. Failures to get a usable answer
/// (unreachable, timed out, an error status) become a <see cref="ServerCallException"/> whose message is
/// ready to print. Not thread-safe; one per command run.
/// </summary>
internal sealed class YardApiClient : IDisposable
{
    /// <summary>How long a management call may take (chat streams have no overall limit).</summary>
    private static readonly TimeSpan _callTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    public YardApiClient(ServerTarget target)
    {
        Target = target;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("yard-cli", "1"));
    }

    public ServerTarget Target { get; }

    /// <summary>GETs a management API path (e.g. <c>api/tasks</c>) and returns the body of a 2xx answer.</summary>
    public Task<string> GetAsync(string path, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Get, path, cancellationToken);

    /// <summary>POSTs to a management API path with an empty body and returns the body of a 2xx answer.</summary>
    public Task<string> PostAsync(string path, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Post, path, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> (its URI relative to the server) and returns the response once its
    /// headers arrived, with a 2xx status; the caller reads and disposes it.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.RequestUri!.OriginalString.TrimStart('/');
        request.RequestUri = Target.Resolve(path);
        if (request.Content is null && request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
        {
            // The server reads no body here, but takes a POST or DELETE only labelled as JSON (no cross-site form can be).
            request.Content = new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        }

        var admin = path.StartsWith("api/", StringComparison.Ordinal);
        var key = Target.KeyFor(admin);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Value);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ServerCallException($"cannot reach the Yardmaster server at {Target.Display} ({Reason(e)}); start one with 'yard serve' or point --server (or ${ServerOptions.ServerVariable}) at one", e);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var message = $"{request.Method} {path}: {ErrorBody.Describe(response.StatusCode, body)}";
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    message += "\n  " + AuthHint(response.StatusCode, admin, key);
                }

                throw new ServerCallException(message) { Status = response.StatusCode, Body = body };
            }
        }

        return response;
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> CallAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_callTimeout);
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            using var response = await SendAsync(request, timeout.Token).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerCallException($"{method} {path}: the server at {Target.Display} did not answer within {_callTimeout.TotalSeconds:0} s", e);
        }
    }

    /// <summary>What to do about a 401 or 403: which option and variable give the right key, and which key was sent (where from, never the key).</summary>
    private string AuthHint(HttpStatusCode status, bool admin, ServerKey? sent)
    {
        var (kind, option, variable) = admin
            ? ("the admin key", "--admin-key", "$" + ServerOptions.AdminKeyVariable)
            : ("an API key", "--api-key", "$" + ServerOptions.ApiKeyVariable);
        var give = $"give {kind} with {option} KEY or {variable}";
        if (sent is null)
        {
            var local = admin && Target.TokenPath is { } token ? $" (a 'yard serve' on this machine keeps it in {token})" : string.Empty;
            return $"no key was sent; {give}{local}";
        }

        return status == HttpStatusCode.Forbidden && admin
            ? $"the key sent ({sent.Shown}) is not an admin key; {give}"
            : status == HttpStatusCode.Forbidden
                ? $"the key sent ({sent.Shown}) is not allowed here; {give}"
                : $"the key sent ({sent.Shown}) was refused; {give}";
    }

    /// <summary>The innermost socket error in words ("Connection refused"), else the exception's message.</summary>
    private static string Reason(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.Message;
            }
        }

        return e.Message;
    }
}
