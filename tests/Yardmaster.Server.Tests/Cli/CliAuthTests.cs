namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// How the CLI finds its keys and what it says when the server refuses one: the admin token file of a server on
/// this machine (<c>$YARD_HOME/admin.token</c>), and 401/403 messages naming the option, the variable and the
/// source of the key sent, never the key.
/// </summary>
public sealed class CliAuthTests(YardServeFixture server) : IClassFixture<YardServeFixture>
{
    [Fact]
    public async Task ModelsAndRuns_AdminTokenFileMode0600_WorkWithoutAnAdminKey()
    {
        using var home = new TempDirectory();
        WriteToken(home, YardServeFixture.AdminKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var models = await server.RunAsync(["models"], NoKeys(home));
        var runs = await server.RunAsync(["runs"], NoKeys(home));

        Assert.True(models.ExitCode == 0, models.Stderr);
        Assert.StartsWith("NAME", models.Stdout, StringComparison.Ordinal);
        Assert.Contains("stories260K", models.Stdout, StringComparison.Ordinal);
        Assert.True(runs.ExitCode == 0, runs.Stderr);
        Assert.StartsWith("RUN", runs.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, models.Stderr + runs.Stderr);
    }

    [Fact]
    public async Task Models_AdminTokenFileReadableByOthers_IgnoredWithAWarningAnd401NamingTheOptions()
    {
        using var home = new TempDirectory();
        var path = WriteToken(home, YardServeFixture.AdminKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (code, stdout, stderr) = await server.RunAsync(["models"], NoKeys(home));

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"warning: ignoring {path}: it is readable or writable by group or others (mode 0644); run 'chmod 600 {path}'", lines[0]);
        Assert.StartsWith("error: GET api/models: 401 Unauthorized", lines[1], StringComparison.Ordinal);
        Assert.Equal($"  no key was sent; give the admin key with --admin-key KEY or $YARD_ADMIN_KEY (a 'yard serve' on this machine keeps it in {path})", lines[2]);
    }

    [Fact]
    public async Task Runs_WrongKeyInTheTokenFile_401NamesTheAdminKeyOptionsAndTheFileNotTheKey()
    {
        using var home = new TempDirectory();
        const string Wrong = "wrong-admin-token-0123456789";
        var path = WriteToken(home, Wrong + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var (code, _, stderr) = await server.RunAsync(["runs"], NoKeys(home));

        Assert.Equal(1, code);
        Assert.Contains("401 Unauthorized", stderr, StringComparison.Ordinal);
        Assert.Contains($"the key sent ('wron…' from the token file {path}) was refused; give the admin key with --admin-key KEY or $YARD_ADMIN_KEY", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tasks_ApiKeyOnTheManagementApi_403SaysItIsNotAnAdminKeyAndWhereItCameFrom()
    {
        using var home = new TempDirectory();
        var env = NoKeys(home);
        env["YARD_API_KEY"] = YardServeFixture.ApiKey;

        var (code, _, stderr) = await server.RunAsync(["tasks"], env);

        Assert.Equal(1, code);
        Assert.Contains("403 Forbidden: this key may call /v1/* but not the management API", stderr, StringComparison.Ordinal);
        Assert.Contains("the key sent ('cli-…' from $YARD_API_KEY) is not an admin key; give the admin key with --admin-key KEY or $YARD_ADMIN_KEY", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(YardServeFixture.ApiKey, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_WrongApiKeyOption_401NamesTheApiKeyOptionAndVariable()
    {
        using var home = new TempDirectory();

        var (code, _, stderr) = await server.RunAsync(["chat", "chat", "Hello", "--api-key", "not-a-key-of-this-server"], NoKeys(home));

        Assert.Equal(1, code);
        Assert.Contains("401 Unauthorized", stderr, StringComparison.Ordinal);
        Assert.Contains("the key sent ('not-…' from --api-key) was refused; give an API key with --api-key KEY or $YARD_API_KEY", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_NoApiKeyButAnAdminTokenFile_SendsTheAdminKeyOnV1()
    {
        using var home = new TempDirectory();
        WriteToken(home, YardServeFixture.AdminKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var (code, stdout, stderr) = await server.RunAsync(["chat", "chat", "Hello", "--max-tokens", "4"], NoKeys(home));

        Assert.True(code == 0, stderr);
        Assert.NotEmpty(stdout.Trim());
    }

    [Fact]
    public async Task ModelsAndRunWithServer_TokenTheServerGenerated_WorkWithNoKeyGiven()
    {
        using var home = new TempDirectory();
        var config = home.File("yard.yaml");
        await File.WriteAllTextAsync(config, $"models:\n  - name: stories260K\n    backend: builtin\n    path: \"{SharedModels.Stories260K}\"\n", TestContext.Current.CancellationToken);
        var pipeline = home.File("hello.yaml");
        await File.WriteAllTextAsync(pipeline, "name: hello\nsteps:\n  - id: hello\n    run: echo hello\n", TestContext.Current.CancellationToken);
        // No --data: the server's data folder is $YARD_HOME, where the CLI looks for the token by default.
        await using var serve = YardProcess.Start(["serve", "--config", config, "--port", "0"], YardServeFixture.Environment(home.Path));
        var url = await serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));

        var models = await YardProcess.RunAsync(["models", "--server", url], NoKeys(home));
        var run = await YardProcess.RunAsync(["run", pipeline, "--server", url], NoKeys(home));

        Assert.True(File.Exists(home.File("admin.token")));
        Assert.True(models.ExitCode == 0, models.Stderr);
        Assert.Contains("stories260K", models.Stdout, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("(hello) succeeded: 1/1 steps succeeded", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>An environment whose <c>YARD_HOME</c> is <paramref name="home"/> and that gives no key.</summary>
    private static Dictionary<string, string> NoKeys(TempDirectory home) => new()
    {
        ["YARD_HOME"] = home.Path,
        ["YARD_API_KEY"] = string.Empty,
        ["YARD_ADMIN_KEY"] = string.Empty,
    };

    private static string WriteToken(TempDirectory home, string token, UnixFileMode mode)
    {
        var path = home.File("admin.token");
        File.WriteAllText(path, token);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }
}
