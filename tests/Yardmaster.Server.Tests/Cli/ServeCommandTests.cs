using System.Net.Http.Json;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Serve_InvalidConfig_ListsEveryErrorWithFileAndLineAndExitsTwo()
    {
        var config = Path.Combine(_dir.Path, "bad.yaml");
        await File.WriteAllTextAsync(config, """
            server: { port: 99999 }
            models:
              - name: m
                backend: builtin
                slots: 0
            tasks:
              - name: chat
                priority: urgent
                models: [missing]
            """, TestContext.Current.CancellationToken);

        var (code, stdout, stderr) = await YardProcess.RunAsync(["serve", "--config", config, "--data", _dir.Path]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("bad.yaml:1:17: server.port:", stderr, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:5:12: models[0].slots:", stderr, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:8:15: tasks[0].priority:", stderr, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:9:14: tasks[0].models[0]: 'missing' is not a declared model; declared models: m", stderr, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:3:5: models[0].path:", stderr, StringComparison.Ordinal);
        Assert.Contains("error(s) in", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "yard.db")), "nothing starts, not even the store");
    }

    [Fact]
    public async Task Serve_ModelFileMissingOrNotGguf_ListsEachPathAndExitsTwo()
    {
        var config = Path.Combine(_dir.Path, "bad.yaml");
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "notes.txt"), "a text file, not a model", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(config, """
            models:
              - name: typo
                path: storeis260K.gguf
              - name: child
                backend: process
                command: "yard model-server --model {path} --port {port}"
                path: notes.txt
            """, TestContext.Current.CancellationToken);

        var (code, stdout, stderr) = await YardProcess.RunAsync(["serve", "--config", config, "--data", _dir.Path]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"bad.yaml:3:11: models[0].path: {Path.Combine(_dir.Path, "storeis260K.gguf")} does not exist", stderr, StringComparison.Ordinal);
        Assert.Contains($"bad.yaml:7:11: models[1].path: {Path.Combine(_dir.Path, "notes.txt")} is not a GGUF file (it does not start with 'GGUF'); or declare memory", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "yard.db")), "nothing starts, not even the store");
    }

    [Fact]
    public async Task Serve_ConfigWithProcessBackend_ServesAndStopsItsChildOnSigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        var model = Path.Combine(_dir.Path, "child-model.gguf");
        File.Copy(SharedModels.Stories260K, model);
        var config = Path.Combine(_dir.Path, "yard.yaml");
        await File.WriteAllTextAsync(config, """
            server: { port: 0 }
            store: { path: state/yard.db }
            models:
              - name: child
                backend: process
                command: "yard model-server --model {path} --port {port} --slots {slots}"
                path: child-model.gguf
                slots: 2
            tasks:
              - name: chat
                priority: high
                models: [child]
            """, ct);

        await using var serve = YardProcess.Start(["serve", "--config", config]);
        var url = new Uri(await serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));
        using var http = new HttpClient { BaseAddress = url };
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "chat", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 8 }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);

        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal("child", response.Headers.GetValues("X-Yard-Model").Single());
        using var json = JsonDocument.Parse(body);
        Assert.Equal(8, json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.True(File.Exists(Path.Combine(_dir.Path, "state", "yard.db")), "the store path resolves against the config file's folder");
        Assert.NotEmpty(ChildrenServing(model));

        Assert.Equal(0, await serve.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(ChildrenServing(model));
        Assert.Contains("yard serve: stopped", serve.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Processes whose command line names <paramref name="model"/> (the child model servers of the test's own file).</summary>
    private static List<int> ChildrenServing(string model)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(model, StringComparison.Ordinal))
                    {
                        found.Add(pid);
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return found;
    }
}
