using System.Diagnostics;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve --log-format json -v</c> child process: model <c>stories260K</c> behind tasks <c>chat</c> (high)
/// and <c>batch</c> (batch), with an API key and an admin key; its standard output read as JSON lines.
/// </summary>
public sealed class JsonLogsServeFixture : ServeProcessFixture
{
    public const string ApiKey = "logs-test-api-key";
    public const string AdminKey = "logs-test-admin-key";

    /// <summary>The yard.yaml of the servers of the log tests.</summary>
    public static string Config => $$"""
            models:
              - name: stories260K
                backend: builtin
                path: "{{SharedModels.Stories260K}}"
                slots: 2
            tasks:
              - name: chat
                priority: high
                models: [stories260K]
              - name: batch
                priority: batch
                models: [stories260K]
            auth:
              api_keys: [{{ApiKey}}]
              admin_keys: [{{AdminKey}}]
            """;

    /// <summary>Everything the server printed on standard output so far.</summary>
    public string Stdout => Serve.Stdout;

    protected override string Yaml => Config;

    protected override IEnumerable<string> ServeOptions => ["--log-format", "json", "-v"];

    /// <summary>The stdout lines so far, each parsed (a line that is not JSON fails the test, naming it).</summary>
    public List<JsonElement> Lines() =>
        [.. Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse)];

    /// <summary>Polls the stdout lines until one matches; fails naming <paramref name="what"/> and what was printed.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var found = Lines().Where(match).ToList();
            if (found.Count > 0)
            {
                return found[0];
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"no log line {what} within 30 s; stdout: {Stdout}");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A client of <c>/v1</c> with the API key.</summary>
    public HttpClient Client() => new() { BaseAddress = new Uri(Url), DefaultRequestHeaders = { { "Authorization", "Bearer " + ApiKey } } };

    /// <summary>Runs <c>yard</c> against this server (adds <c>--server</c>) with the admin key.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        var env = YardServeFixture.Environment(Home);
        env["YARD_API_KEY"] = AdminKey;
        return YardProcess.RunAsync([.. args, "--server", Url], env);
    }

    /// <summary>A file in the server's home folder.</summary>
    public string File(string name) => Path.Combine(Home, name);

    /// <summary>The URL is in the <c>listening on {Url}</c> entry of category <c>Yardmaster.Serve</c>.</summary>
    protected override async Task<string> WaitForUrlAsync(YardProcess serve)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var line in serve.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.GetProperty("Category").GetString() == "Yardmaster.Serve" && json.RootElement.GetProperty("State").TryGetProperty("Url", out var url))
                {
                    return url.GetString()!;
                }
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"no 'listening on' entry. stdout: {serve.Stdout} stderr: {serve.Stderr}");
    }

    private static JsonElement Parse(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"a stdout line is not JSON ({e.Message}): {line}");
            throw;
        }
    }
}
