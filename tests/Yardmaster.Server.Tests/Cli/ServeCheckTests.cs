using System.Globalization;
using System.Text;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard serve --check</c>: the config judged as <c>yard serve</c> would, and nothing started.</summary>
public sealed class ServeCheckTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ServeCheck_ValidConfig_ExitsZeroWithOneLineAndStartsNothing()
    {
        var config = await WriteAsync("yard.yaml", $$"""
            server: { port: 8123 }
            models:
              - { name: stories, path: "{{SharedModels.Stories260K}}", slots: 2 }
            tasks:
              - { name: chat, priority: high, models: [stories] }
              - { name: batch, priority: batch, models: [stories] }
            """);

        var (code, stdout, stderr) = await YardProcess.RunAsync(["serve", "--check", "--config", config, "--data", _dir.File("data")]);

        Assert.True(code == 0, stderr);
        Assert.Equal($"{config}: valid: 2 tasks, 1 model, listening on 127.0.0.1:8123 when served; nothing started\n", stdout);
        Assert.False(Directory.Exists(_dir.File("data")), "nothing starts, not even the store");
    }

    [Fact]
    public async Task ServeCheck_InvalidConfig_ExitsTwoListingEveryErrorAndStartsNothing()
    {
        var config = await WriteAsync("bad.yaml", """
            server: { port: 99999 }
            tasks:
              - { name: chat, priority: urgent, models: [missing] }
            """);

        var (code, stdout, stderr) = await YardProcess.RunAsync(["serve", "--check", "--config", config, "--data", _dir.File("data")]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("bad.yaml:1:17: server.port:", stderr, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:3:29: tasks[0].priority:", stderr, StringComparison.Ordinal);
        Assert.Contains("tasks[0].models[0]: 'missing'", stderr, StringComparison.Ordinal);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{lines.Length - 1} errors in {config}; nothing started", lines[^1]);
        Assert.False(Directory.Exists(_dir.File("data")), "nothing starts, not even the store");
    }

    [Fact]
    public async Task ServeCheck_ThousandErrors_ListsTheFirstHundredAndCountsTheRest()
    {
        var yaml = new StringBuilder("tasks:\n");
        for (var i = 0; i < 1000; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ name: t{i}, priority: urgent, models: [m] }}\n");
        }

        var config = await WriteAsync("many.yaml", yaml.ToString());

        var (code, _, stderr) = await YardProcess.RunAsync(["serve", "--check", "--config", config, "--data", _dir.File("data")]);

        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(102, lines.Length);
        Assert.All(lines[..100], l => Assert.StartsWith($"error: {config}:", l, StringComparison.Ordinal));
        var total = int.Parse(lines[^1].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.True(total >= 1000, lines[^1]);
        Assert.Equal($"and {total - 100} more errors", lines[^2]);
        Assert.Equal($"{total} errors in {config}; nothing started", lines[^1]);
    }

    [Fact]
    public async Task ServeCheck_NestedAliases_RefusedAtTheAliasPastTheLimit()
    {
        var yaml = new StringBuilder("x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
        for (var level = 1; level < 9; level++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"x{level}: &x{level} [{string.Join(", ", Enumerable.Repeat($"*x{level - 1}", 10))}]\n");
        }

        var config = await WriteAsync("lol.yaml", yaml.ToString());

        var (code, _, stderr) = await YardProcess.RunAsync(["serve", "--check", "--config", config, "--data", _dir.File("data")]);

        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"error: {config}:4:", lines[0], StringComparison.Ordinal);
        Assert.Contains("aliases repeat more than 10,000 nodes", lines[0], StringComparison.Ordinal);
        Assert.Equal($"1 error in {config}; nothing started", lines[1]);
    }

    [Fact]
    public async Task ServeCheck_WithoutConfig_ExitsTwoAskingForOne()
    {
        var (code, _, stderr) = await YardProcess.RunAsync(["serve", "--check", "--data", _dir.File("data")]);

        Assert.Equal(2, code);
        Assert.Contains("--check checks a config file; name it with --config FILE", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("data")));
    }

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = _dir.File(name);
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        return path;
    }
}
