using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Cli;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Server.Tests.Cluster;

/// <summary>
/// Several real <c>yard serve</c> processes as an operator would run them on one machine: one fresh database on the test
/// PostgreSQL (<c>store.url</c>, the password from <c>store.password_env</c>), a short <c>store.lease</c>, every step on the
/// real two-node Slurm cluster (<c>jobs.executor: slurm</c>), and one shared data folder (the runs' working folders and
/// attempt folders, which a new leader re-attaches from, and the generated <c>admin.token</c>).
/// </summary>
public sealed class ServeCluster : IAsyncDisposable
{
    private SlurmTestCluster? _slurm;

    private readonly TempDirectory _home = new();
    private readonly List<ServeInstance> _instances = [];
    private HttpClient? _http;

    private ServeCluster(PostgresTestDatabase database, TimeSpan lease)
    {
        Database = database;
        Lease = lease;
    }

    /// <summary>The cluster's database.</summary>
    public PostgresTestDatabase Database { get; }

    /// <summary>The <c>store.lease</c> of every instance.</summary>
    public TimeSpan Lease { get; }

    /// <summary>How often an instance takes or renews the lease: a third of it.</summary>
    public TimeSpan Tick => Lease / 3;

    /// <summary>The data folder every instance shares.</summary>
    public string DataDirectory => _home.File("data");

    /// <summary>A client with the generated admin token (known once the first instance started).</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("no instance started yet");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes the database and writes yard.yaml; no instance runs yet.</summary>
    public static async Task<ServeCluster> CreateAsync(TimeSpan lease)
    {
        var slurm = await SlurmTestCluster.OpenAsync(Ct);
        var database = await PostgresTestDatabase.CreateAsync(Ct);
        var cluster = new ServeCluster(database, lease) { _slurm = slurm };
        await File.WriteAllTextAsync(cluster._home.File("yard.yaml"), $$"""
            server: { port: 0 }
            store:
              url: "{{database.Url}}"
              password_env: {{PostgresTestServer.PasswordVariable}}
              lease: {{(int)lease.TotalMilliseconds}}ms
            jobs:
              executor: slurm
              docker: { enabled: false }
              slurm:
                conf: "{{slurm.Conf}}"
                bin_dir: "{{slurm.BinDir}}"
                partition: {{slurm.Partition}}
                poll: 250ms
            """, Ct);
        return cluster;
    }

    /// <summary>Starts one more instance and waits until it listens and has taken part in an election.</summary>
    public async Task<ServeInstance> StartAsync()
    {
        var env = YardServeFixture.Environment(_home.Path);
        env[PostgresTestServer.PasswordVariable] = PostgresTestServer.Password;
        var process = YardProcess.Start(["serve", "--config", _home.File("yard.yaml"), "--data", DataDirectory], env);
        string url;
        try
        {
            url = await process.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(90));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        _http ??= Client(await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin.token"), Ct));
        var self = (await GetJsonAsync(url, "/api/cluster")).GetProperty("self").GetString()!;
        var instance = new ServeInstance(process, url, self);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>GET with the admin token; asserts a 200 and returns the JSON.</summary>
    public async Task<JsonElement> GetJsonAsync(string url, string path)
    {
        using var response = await Http.GetAsync(new Uri(new Uri(url), path), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>POST a JSON body with the admin token.</summary>
    public Task<HttpResponseMessage> PostAsync(string url, string path, object body) =>
        Http.PostAsJsonAsync(new Uri(new Uri(url), path), body, Ct);

    /// <summary>Submits a pipeline to <paramref name="url"/>; asserts 201 and returns the run's id.</summary>
    public async Task<string> SubmitAsync(string url, string yaml)
    {
        using var response = await PostAsync(url, "/api/runs", new { yaml, file = "cluster.yaml" });
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"POST {url}/api/runs: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The leader's id by <c>GET /api/cluster</c> on <paramref name="url"/>; null when nobody holds the lease.</summary>
    public async Task<string?> LeaderAsync(string url)
    {
        var leader = (await GetJsonAsync(url, "/api/cluster")).GetProperty("leader");
        return leader.ValueKind == JsonValueKind.Null ? null : leader.GetProperty("id").GetString();
    }

    /// <summary>Calls <paramref name="read"/> until <paramref name="done"/> holds, at most <paramref name="within"/>; returns the last value.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > within)
            {
                Assert.Fail($"{what}: not within {within.TotalSeconds:0.#} s; last seen: {(value is JsonElement json ? json.GetRawText() : value?.ToString())}");
            }

            await Task.Delay(100, Ct);
        }
    }

    /// <summary>Waits for run <paramref name="id"/> to end (read through <paramref name="url"/>) and returns its detail.</summary>
    public Task<JsonElement> WaitForEndAsync(string url, string id, TimeSpan within) =>
        PollAsync(() => GetJsonAsync(url, $"/api/runs/{id}"), r => r.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", within, $"run {id} ending");

    /// <summary>What every instance printed, for a failure message.</summary>
    public string Output => string.Join("\n", _instances.Select(i => $"--- {i.Id} ({i.Url})\n{i.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.StopAsync();
            await instance.DisposeAsync();
        }

        // Shown with a failed test: what each instance logged (elections, re-attaches, fenced writes).
        TestContext.Current.TestOutputHelper?.WriteLine(Output);

        _http?.Dispose();
        await Database.DisposeAsync();
        if (_slurm is not null)
        {
            await _slurm.DisposeAsync();
        }

        _home.Dispose();
    }

    private static HttpClient Client(string token)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        return http;
    }
}
