namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve</c> with two models that cannot load: <c>broken</c>, a process backend whose command
/// exits with code 3 before it is ready, and <c>huge</c>, larger than the memory budget.
/// </summary>
public sealed class FailingModelsServeFixture : IAsyncLifetime
{
    public const string AdminKey = "failing-models-admin-key";

    private readonly TempDirectory _home = new();
    private YardProcess? _serve;

    public string Url { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var config = _home.File("yard.yaml");
        await File.WriteAllTextAsync(config, $$"""
            models:
              - name: broken
                backend: process
                command: "sh -c 'echo cannot open the weights >&2; exit 3' {port}"
              - name: huge
                backend: builtin
                path: "{{SharedModels.Stories260K}}"
                memory: 64TiB
            tasks:
              - name: chat
                models: [broken]
            auth:
              admin_keys: [{{AdminKey}}]
            """);
        _serve = YardProcess.Start(["serve", "--config", config, "--port", "0", "--data", _home.File("data")], YardServeFixture.Environment(_home.Path));
        Url = await _serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs <c>yard</c> against this server with its admin key.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var env = YardServeFixture.Environment(_home.Path);
        env["YARD_ADMIN_KEY"] = AdminKey;
        return YardProcess.RunAsync([.. args, "--server", Url], env);
    }

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
