using System.Net.Http.Headers;
using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>
/// An OpenAI-compatible endpoint that already runs. Health-checked every few seconds (<c>GET /models</c>);
/// three failures in a row end it (<see cref="Exited"/>), and the scheduler starts it again with backoff.
/// </summary>
internal sealed class HttpReplica : IServingReplica
{
    private static readonly TimeSpan _healthInterval = TimeSpan.FromSeconds(5);
    private readonly OpenAiForwarder _forwarder;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _health;

    private HttpReplica(OpenAiForwarder forwarder, Func<CancellationToken, Task<string?>> probe, TimeProvider time)
    {
        _forwarder = forwarder;
        _health = WatchAsync(probe, time);
    }

    /// <inheritdoc />
    public long MemoryBytes => 0;

    /// <inheritdoc />
    public Task Exited => _exited.Task;

    /// <inheritdoc />
    public string? ExitReason { get; private set; }

    /// <summary>Probes the endpoint once (and learns its model name when none is configured); throws <see cref="ReplicaStartException"/> when it does not answer.</summary>
    public static async Task<HttpReplica> StartAsync(ModelDefinition definition, HttpClient client, TimeProvider time, CancellationToken cancellationToken)
    {
        var baseUrl = new Uri(definition.Url!.ToString().TrimEnd('/') + "/");
        var key = definition.ApiKeyEnv is { } env ? Environment.GetEnvironmentVariable(env) : null;
        if (definition.ApiKeyEnv is not null && string.IsNullOrEmpty(key))
        {
            throw new ReplicaStartException($"model '{definition.Name}': environment variable {definition.ApiKeyEnv} (api_key_env) is not set");
        }

        async Task<string?> Probe(CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "models"));
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                using var response = await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
                return response.IsSuccessStatusCode ? null : $"GET {request.RequestUri} answered {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return $"GET {request.RequestUri} failed: {e.Message}";
            }
        }

        if (await Probe(cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw new ReplicaStartException($"model '{definition.Name}': {problem}");
        }

        var upstream = definition.UpstreamModel ?? await UpstreamNameAsync(client, baseUrl, key, cancellationToken).ConfigureAwait(false);
        return new HttpReplica(new OpenAiForwarder(client, baseUrl, key, upstream, time), Probe, time);
    }

    /// <summary>The first id in the endpoint's <c>/models</c>, or null to pass the client's <c>model</c> through.</summary>
    internal static async Task<string?> UpstreamNameAsync(HttpClient client, Uri baseUrl, string? key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "models"));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var json = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(json);
            return document.RootElement.GetProperty("data")[0].GetProperty("id").GetString();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<ForwardReport> ForwardAsync(ForwardCall call, HttpContext http, CancellationToken cancellationToken) =>
        _forwarder.ForwardAsync(call, http, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _health.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task WatchAsync(Func<CancellationToken, Task<string?>> probe, TimeProvider time)
    {
        var failures = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(_healthInterval, time, _stop.Token).ConfigureAwait(false);
                var problem = await probe(_stop.Token).ConfigureAwait(false);
                failures = problem is null ? 0 : failures + 1;
                if (failures >= 3)
                {
                    ExitReason = "health check failed 3 times: " + problem;
                    _exited.TrySetResult();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }
}
