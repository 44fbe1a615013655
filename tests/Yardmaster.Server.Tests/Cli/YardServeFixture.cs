namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve</c> child process on a loopback port with a small yard.yaml: model <c>stories260K</c>
/// (builtin) behind tasks <c>chat</c> (high, SLO 500 ms / 10 s) and <c>batch</c>, with an API key and an admin key.
/// </summary>
public sealed class YardServeFixture : ServeProcessFixture
{
    public const string ApiKey = "cli-test-api-key";
    public const string AdminKey = "cli-test-admin-key";

    protected override string Yaml => $$"""
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
            """;

    /// <summary>
    /// Runs <c>yard</c> against this server (adds <c>--server</c>) with the admin key in <c>YARD_API_KEY</c>
    /// unless <paramref name="environment"/> says otherwise.
    /// </summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, IDictionary<string, string>? environment = null)
    {
        var env = Environment(Home);
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
}
