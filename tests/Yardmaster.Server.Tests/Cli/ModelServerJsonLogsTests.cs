using System.Text.Json;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard model-server --log-format json</c>: every line on standard output is JSON, its own lines too.</summary>
public sealed class ModelServerJsonLogsTests
{
    [Fact]
    public async Task ModelServer_JsonLogFormat_EveryStdoutLineIsJson()
    {
        await using var yard = YardProcess.Start(["model-server", "--model", SharedModels.Stories260K, "--port", "0", "--slots", "1", "--threads", "1", "--log-format", "json"]);
        var url = await WaitForUrlAsync(yard);
        using (var http = new HttpClient { BaseAddress = new Uri(url) })
        {
            using var health = await http.GetAsync("/health", TestContext.Current.CancellationToken);
            Assert.True(health.IsSuccessStatusCode);
        }

        Assert.Equal(0, await yard.TerminateAsync(TimeSpan.FromSeconds(30)));

        var lines = yard.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var messages = lines.Select(l => l.GetProperty("Message").GetString()!).ToList();
        Assert.Equal(3, messages.Count);
        Assert.StartsWith("yard model-server: stories260K (", messages[0], StringComparison.Ordinal);
        Assert.Equal($"listening on {url}", messages[1]);
        Assert.Equal("yard model-server: stopped", messages[2]);
        Assert.All(lines, l => Assert.Equal("Yardmaster.ModelServer", l.GetProperty("Category").GetString()));
        Assert.All(lines, l => Assert.EndsWith("Z", l.GetProperty("Timestamp").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelServer_BadLogFormat_ExitsTwoNamingTheFlag()
    {
        var (exit, stdout, stderr) = await YardProcess.RunAsync(["model-server", "--model", SharedModels.Stories260K, "--log-format", "yaml"]);

        Assert.Equal(2, exit);
        Assert.Contains("error: --log-format: 'yaml' is not one of text, json", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }

    private static async Task<string> WaitForUrlAsync(YardProcess yard)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var line in yard.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.GetProperty("State").TryGetProperty("Url", out var url))
                {
                    return url.GetString()!;
                }
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"no 'listening on' entry. stdout: {yard.Stdout} stderr: {yard.Stderr}");
    }
}
