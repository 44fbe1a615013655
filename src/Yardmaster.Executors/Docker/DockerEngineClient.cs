using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Yardmaster.Executors.Docker;

/// <summary>
/// The few Docker Engine API calls the executor makes, over the engine's unix socket. Thread-safe.
/// Expected answers (404 no such image or container, 409 name taken) are values; other error statuses throw
/// <see cref="DockerEngineException"/>; an unreachable engine throws <see cref="HttpRequestException"/>.
/// </summary>
internal sealed class DockerEngineClient : IDisposable
{
    private readonly HttpClient _http;

    public DockerEngineClient(string socketPath, string apiVersion)
    {
        SocketPath = socketPath;
        // The engine never redirects an API call; following one would ask for another resource than the one named.
        var handler = new SocketsHttpHandler { ConnectCallback = (_, ct) => ConnectAsync(socketPath, ct), AllowAutoRedirect = false };

        // No client timeout: wait and follow-logs requests last as long as the container.
        _http = new HttpClient(handler) { BaseAddress = new Uri($"http://docker/v{apiVersion}/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The unix socket the engine is reached at.</summary>
    public string SocketPath { get; }

    /// <summary>True when the image is present locally (<c>GET /images/{name}/json</c>, the name escaped as one path segment).</summary>
    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"images/{Uri.EscapeDataString(image)}/json", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Creates a container named <paramref name="name"/>; returns its id, or null when the name is taken (409).</summary>
    public async Task<string?> CreateContainerAsync(string name, JsonObject body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("containers/create?name=" + Uri.EscapeDataString(name), content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        var json = await EnsureSuccessAsync(response, cancellationToken);
        return json?["Id"]?.GetValue<string>() ?? throw new DockerEngineException("the engine created a container without an id");
    }

    /// <summary>Starts it; a container already started is fine (304).</summary>
    public async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"containers/{Uri.EscapeDataString(id)}/start", null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotModified)
        {
            await EnsureSuccessAsync(response, cancellationToken);
        }
    }

    /// <summary>Blocks until it is not running (at once when it already ended) and returns its exit status.</summary>
    public async Task<int> WaitContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"containers/{Uri.EscapeDataString(id)}/wait?condition=not-running", null, cancellationToken);
        var json = await EnsureSuccessAsync(response, cancellationToken);
        if (json?["Error"]?["Message"]?.GetValue<string>() is { Length: > 0 } error)
        {
            throw new DockerEngineException("waiting for the container failed: " + error);
        }

        return (int)(json?["StatusCode"]?.GetValue<long>() ?? throw new DockerEngineException("the engine's wait answer has no StatusCode"));
    }

    /// <summary>
    /// Opens its stdout and stderr, multiplexed (<see cref="DockerLogDemultiplexer"/>), following until it ends;
    /// from <paramref name="since"/> when given. The caller disposes the stream.
    /// </summary>
    public async Task<Stream> OpenLogsAsync(string id, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var uri = $"containers/{Uri.EscapeDataString(id)}/logs?follow=1&stdout=1&stderr=1";
        if (since is { } from)
        {
            var ticks = (from - DateTimeOffset.UnixEpoch).Ticks;
            uri += string.Create(CultureInfo.InvariantCulture, $"&since={ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}");
        }

        var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                await EnsureSuccessAsync(response, cancellationToken);
            }

            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Its state, by id or name; null when there is no such container.</summary>
    public async Task<DockerContainerState?> InspectContainerAsync(string idOrName, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"containers/{Uri.EscapeDataString(idOrName)}/json", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var json = await EnsureSuccessAsync(response, cancellationToken);
        var state = json?["State"];
        return new DockerContainerState(
            json?["Id"]?.GetValue<string>() ?? idOrName,
            state?["Status"]?.GetValue<string>() ?? "unknown",
            (int)(state?["ExitCode"]?.GetValue<long>() ?? 0),
            state?["OOMKilled"]?.GetValue<bool>() ?? false);
    }

    /// <summary>
    /// SIGTERM (its stop signal), then SIGKILL after <paramref name="graceSeconds"/>; the engine answers once it is
    /// down. Already stopped (304) or gone (404) is fine.
    /// </summary>
    public async Task StopContainerAsync(string id, int graceSeconds, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(string.Create(CultureInfo.InvariantCulture, $"containers/{Uri.EscapeDataString(id)}/stop?t={graceSeconds}"), null, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.NotModified or HttpStatusCode.NotFound))
        {
            await EnsureSuccessAsync(response, cancellationToken);
        }
    }

    /// <summary>Removes it, killing it first if it runs. Gone already (404) or being removed (409) is fine.</summary>
    public async Task RemoveContainerAsync(string idOrName, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"containers/{Uri.EscapeDataString(idOrName)}?force=1", cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Conflict))
        {
            await EnsureSuccessAsync(response, cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The answer's JSON (null when it has no body), or <see cref="DockerEngineException"/> with the engine's message.</summary>
    private static async Task<JsonNode?> EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            string? message = null;
            try
            {
                message = JsonNode.Parse(text)?["message"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                // Not the engine's JSON error (a proxy in between); the raw text says more.
            }

            throw new DockerEngineException(response.StatusCode, message ?? $"{(int)response.StatusCode} {text.Trim()}");
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
