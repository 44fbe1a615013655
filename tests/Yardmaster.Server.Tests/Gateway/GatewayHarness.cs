using System.ClientModel;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI;
using Yardmaster.Runtime.Configuration;
using Yardmaster.Server.Backends;
using Yardmaster.Server.Gateway;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// A real <see cref="GatewayApp"/> on 127.0.0.1 and a free port, configured from YAML text (relative model
/// paths resolve against the shared models folder), its store and logs in a data folder; process backends
/// run the built <c>yard.dll</c>. Talks to it with <see cref="HttpClient"/> and the official OpenAI client.
/// </summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    private static readonly TimeSpan _settleTimeout = TimeSpan.FromSeconds(10);

    private GatewayHarness(GatewayApp app, Uri url, string? key)
    {
        App = app;
        Url = url;
        Http = Client(key);
    }

    internal GatewayApp App { get; }

    public Uri Url { get; }

    /// <summary>The generated admin token (when the config names no admin key); null otherwise.</summary>
    public string? AdminToken { get; private init; }

    /// <summary>A client with the harness's key as bearer token: the one given, else the generated admin token.</summary>
    public HttpClient Http { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Starts a gateway; <see cref="Http"/> sends <paramref name="key"/>, else the generated admin token. <c>adjust</c>
    /// changes the loaded config before the start (e.g. a store the YAML cannot name yet).
    /// </summary>
    public static async Task<GatewayHarness> StartAsync(string yaml, string dataDirectory, string? key = null, bool insecureNoAuth = false, Func<Core.Configuration.YardConfig, Core.Configuration.YardConfig>? adjust = null)
    {
        var loaded = YardConfigLoader.LoadText(yaml, "gateway-test.yaml", SharedModels.Directory);
        Assert.True(loaded.Success, string.Join(Environment.NewLine, loaded.Errors));
        var app = new GatewayApp(new GatewayOptions
        {
            Config = adjust is null ? loaded.Config! : adjust(loaded.Config!),
            DataDirectory = dataDirectory,
            InsecureNoAuth = insecureNoAuth,
            Backends = new BackendOptions { LogDirectory = Path.Combine(dataDirectory, "logs"), YardCommand = ["dotnet", YardProcess.YardDll] },
        });
        try
        {
            var url = await app.StartAsync(Ct);
            if (url.Host is "0.0.0.0" or "[::]")
            {
                // Bound to every interface: reach it on loopback.
                url = new UriBuilder(url) { Host = "127.0.0.1" }.Uri;
            }

            var token = app.AdminTokenPath is { } path ? (await File.ReadAllTextAsync(path, Ct)).Trim() : null;
            return new GatewayHarness(app, url, key ?? token) { AdminToken = token };
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string? key)
    {
        // No draining of an abandoned answer: disposing a response closes the connection, as a client that leaves does.
        var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    public OpenAIClient OpenAi(string key = "unused") =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(Url, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(60) });

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public Task<JsonElement> StatsAsync() => GetJsonAsync("/api/stats");

    /// <summary>POSTs JSON with optional extra headers; the caller disposes the response.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, object body, params (string Name, string Value)[] headers) =>
        SendAsync(path, JsonContent.Create(body), headers);

    /// <summary>A POST or DELETE without a body, sent as JSON as the server asks of every such request; the caller disposes the response.</summary>
    public Task<HttpResponseMessage> SendEmptyAsync(HttpMethod method, string path) =>
        Http.SendAsync(new HttpRequestMessage(method, path) { Content = EmptyJson() }, Ct);

    /// <summary>An empty body labelled <c>application/json</c>.</summary>
    public static HttpContent EmptyJson() => new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    public async Task<HttpResponseMessage> SendAsync(string path, HttpContent content, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
    }

    /// <summary>Polls <c>/api/stats</c> until <paramref name="condition"/> holds; fails naming <paramref name="what"/> with the last stats.</summary>
    public async Task<JsonElement> WaitForStatsAsync(Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? _settleTimeout;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var stats = await StatsAsync();
            if (condition(stats))
            {
                return stats;
            }

            Assert.True(clock.Elapsed < limit, $"{what} did not happen within {limit.TotalSeconds} s; /api/stats: {stats}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Every task's admitted count and every model's and replica's in-flight count back to zero, nothing queued, the ledger agreeing with the replicas.</summary>
    public Task<JsonElement> AssertSettledAsync() => WaitForStatsAsync(IsSettled, "the slot accounting returning to zero");

    /// <summary>Also the memory ledger: the CPU budget's use is exactly what the replicas hold.</summary>
    public static bool IsSettled(JsonElement stats)
    {
        var replicas = stats.GetProperty("models").EnumerateObject()
            .Where(m => m.Value.TryGetProperty("status", out _))
            .Select(m => m.Value.GetProperty("status"))
            .ToList();
        var held = replicas.SelectMany(s => s.GetProperty("replicas").EnumerateArray()).Sum(r => r.GetProperty("memory_bytes").GetInt64());
        var used = stats.GetProperty("devices").EnumerateArray().Sum(d => d.GetProperty("used_bytes").GetInt64());
        return used == held
            && stats.GetProperty("tasks").EnumerateObject().All(t => t.Value.GetProperty("admitted_now").GetInt32() == 0)
            && replicas.All(s => s.GetProperty("in_flight").GetInt32() == 0 && s.GetProperty("queued").GetInt32() == 0
                && s.GetProperty("replicas").EnumerateArray().All(r => r.GetProperty("in_flight").GetInt32() == 0));
    }

    /// <summary>The replica states of <paramref name="model"/> as <c>/api/models</c> shows them.</summary>
    public async Task<List<string>> ReplicaStatesAsync(string model)
    {
        var m = await GetJsonAsync($"/api/models/{model}");
        return [.. m.GetProperty("status").GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("state").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }
}
