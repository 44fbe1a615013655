namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve</c> child process on a loopback port with a small yard.yaml: model <c>stories260K</c>
/// (builtin) behind tasks <c>chat</c> (high, SLO 500 ms / 10 s) and <c>batch</c>, with an API key and an admin key.
/// </summary>
public sealed class YardServeFixture : IAsyncLifetime
{
    public const string ApiKey = "cli-test-api-key";
    public const string AdminKey = "cli-test-admin-key";

    private readonly TempDirectory _home = new();
    private YardProcess? _serve;

    public string Url { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var config = _home.File("yard.yaml");
        await File.WriteAllTextAsync(config, $$"""
            models:
              - name: stories260K
                backend: builtin
                path: "{{SharedModels.Stories260K}}"
                slots: 2
            tasks:
              - name: chat
                priority: high
                slo: { ttft: 500ms, latency: 10s }
                models: [stories260K]
                max_concurrency: 8
                rate: 50/s
              - name: batch
                priority: batch
                models: [stories260K]
            auth:
              api_keys: [{{ApiKey}}]
              admin_keys: [{{AdminKey}}]
            """);
        _serve = YardProcess.Start(["serve", "--config", config, "--port", "0", "--data", _home.File("data")], Environment(_home.Path));
        Url = await _serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Runs <c>yard</c> against this server (adds <c>--server</c>) with the admin key in <c>YARD_API_KEY</c>
    /// unless <paramref name="environment"/> says otherwise.
    /// </summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, IDictionary<string, string>? environment = null)
    {
        var env = Environment(_home.Path);
        env["YARD_API_KEY"] = AdminKey;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return YardProcess.RunAsync([.. args, "--server", Url], env);
    }

    /// <summary>An environment in which no YARD_SERVER or key variable of the machine running the tests leaks in.</summary>
    public static Dictionary<string, string> Environment(string home) => new()
    {
        ["YARD_HOME"] = home,
        ["YARD_SERVER"] = string.Empty,
        ["YARD_API_KEY"] = string.Empty,
        ["YARD_ADMIN_KEY"] = string.Empty,
    };

    public async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.TerminateAsync(TimeSpan.FromSeconds(30));
            await _serve.DisposeAsync();
        }

        _home.Dispose();
    }
}
