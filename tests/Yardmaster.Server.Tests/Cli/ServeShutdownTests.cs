using System.Diagnostics;
using System.Net.Http.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Cli;

public sealed class ServeShutdownTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Serve_SigtermWithAStreamInFlight_EndsItWithAnErrorEventAndExitsZeroAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var upstream = await SlowUpstream.StartAsync();
        var config = Path.Combine(_dir.Path, "yard.yaml");
        await File.WriteAllTextAsync(config, $"""
            server: {"{"} port: 0 {"}"}
            models:
              - name: slow
                backend: http
                url: {upstream.Url}
            tasks:
              - name: chat
                models: [slow]
            """, ct);
        await using var serve = YardProcess.Start(["serve", "--config", config, "--data", _dir.Path]);
        var url = new Uri(await serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60)));
        using var http = new HttpClient { BaseAddress = url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "chat", stream = true, messages = new[] { new { role = "user", content = "Hi" } } }),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        Assert.StartsWith("data: ", await reader.ReadLineAsync(ct), StringComparison.Ordinal); // the answer is streaming

        var clock = Stopwatch.StartNew();
        var exit = await serve.TerminateAsync(TimeSpan.FromSeconds(30));
        var rest = await reader.ReadToEndAsync(ct);

        Assert.Equal(0, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed} to stop (the host's grace period is 5 s)");
        Assert.Contains("\"message\":\"the server is shutting down\"", rest, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
    }
}
