namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard serve</c> on an address other machines can reach without keys: refused at start (exit 2), naming what to configure, before any model is pulled.</summary>
public sealed class ServeExposureTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Serve_EveryInterfaceOnEmbeddedDefaults_RefusedBeforePullingAModel()
    {
        var (code, stdout, stderr) = await YardProcess.RunAsync(["serve", "--host", "0.0.0.0", "--port", "0"], YardServeFixture.Environment(_home.Path));

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("refusing to listen on 0.0.0.0", stderr, StringComparison.Ordinal);
        Assert.Contains("auth.admin_keys", stderr, StringComparison.Ordinal);
        Assert.Contains("--insecure-no-auth", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_home.Path, "models")), "a model was pulled for a server that cannot start");
    }

    [Fact]
    public async Task Serve_ConfigWithAdminKeyOnly_RefusedUntilInsecureNoAuthForV1()
    {
        var config = Path.Combine(_home.Path, "yard.yaml");
        await File.WriteAllTextAsync(config, $$"""
            server: { host: 0.0.0.0, port: 0 }
            auth: { admin_keys: [admin-key-0123] }
            models:
              - { name: stories, path: "{{SharedModels.Stories260K}}", slots: 1 }
            """, TestContext.Current.CancellationToken);

        var (code, _, stderr) = await YardProcess.RunAsync(["serve", "--config", config, "--data", _home.File("data")], YardServeFixture.Environment(_home.Path));

        Assert.Equal(2, code);
        Assert.Contains("keys for /v1/*", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("auth.admin_keys", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_home.File("data/yard.db")), "a refused start opened the store");
    }
}
