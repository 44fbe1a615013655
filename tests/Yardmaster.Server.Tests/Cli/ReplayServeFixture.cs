namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve</c> for <c>yard bench replay</c>: model <c>stories260K</c> (builtin, 2 slots, context 512) behind
/// task <c>chat</c> (high, latency SLO 60 s) and task <c>limited</c> (latency SLO 60 s, one request a minute), with an
/// API key and an admin key.
/// </summary>
public sealed class ReplayServeFixture : ServeProcessFixture
{
    public const string ApiKey = "replay-test-api-key";
    public const string AdminKey = "replay-test-admin-key";

    protected override string Yaml => $$"""
            models:
              - name: stories260K
                backend: builtin
                path: "{{SharedModels.Stories260K}}"
                slots: 2
                context: 512
            tasks:
              - name: chat
                priority: high
                slo: { latency: 60s }
                models: [stories260K]
              - name: limited
                slo: { latency: 60s }
                rate: { rate: 1/m, burst: 1 }
                models: [stories260K]
            auth:
              api_keys: [{{ApiKey}}]
              admin_keys: [{{AdminKey}}]
            """;

    /// <summary>Runs <c>yard bench replay</c> against this server (adds <c>--url</c>) with no key in the environment.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> ReplayAsync(params string[] args) =>
        YardProcess.RunAsync(["bench", "replay", .. args, "--url", Url], YardServeFixture.Environment(Home));
}
