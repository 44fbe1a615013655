namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve</c> with two models that cannot load: <c>broken</c>, a process backend whose command
/// exits with code 3 before it is ready, and <c>huge</c>, larger than the memory budget.
/// </summary>
public sealed class FailingModelsServeFixture : ServeProcessFixture
{
    public const string AdminKey = "failing-models-admin-key";

    protected override string Yaml => $$"""
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
            """;

    /// <summary>Runs <c>yard</c> against this server with its admin key.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var env = YardServeFixture.Environment(Home);
        env["YARD_ADMIN_KEY"] = AdminKey;
        return YardProcess.RunAsync([.. args, "--server", Url], env);
    }
}
