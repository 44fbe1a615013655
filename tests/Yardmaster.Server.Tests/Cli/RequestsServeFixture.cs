using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve -v</c> with one model of one slot (<c>one-slot</c>), a queue of one, tasks
/// <c>nightly-summaries</c> (batch) and <c>chat</c> (normal), and no keys configured: the admin token is generated in
/// the data folder, where the CLI finds it. The model is an <c>http</c> backend on a loopback upstream whose streamed
/// answers last until the client leaves (up to a minute), so a streaming request holds the slot as long as a test needs,
/// however fast the machine; a request that does not stream is answered at once.
/// </summary>
public sealed class RequestsServeFixture : ServeProcessFixture
{
    private (WebApplication App, Uri Url)? _upstream;

    protected override string Yaml => $$"""
            scheduler: { max_queue: 1 }
            models:
              - { name: one-slot, backend: http, url: "{{Upstream()}}v1", slots: 1 }
            tasks:
              - { name: nightly-summaries, priority: batch, models: [one-slot] }
              - { name: chat, priority: normal, models: [one-slot] }
            """;

    protected override IEnumerable<string> ServeOptions => ["-v"];

    /// <summary>The data folder of the server (its admin.token inside).</summary>
    public string DataDirectory => Path.Combine(Home, "data");

    /// <summary>Runs <c>yard</c> against this server with <c>--server</c> and <c>--data</c> (the admin token read from there).</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        YardProcess.RunAsync([.. args, "--server", Url, "--data", DataDirectory], YardServeFixture.Environment(Home));

    /// <summary>A client that sends the generated admin token.</summary>
    public HttpClient Client()
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
        var token = File.ReadAllText(Path.Combine(DataDirectory, "admin.token")).Trim();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        if (_upstream is { } upstream)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await upstream.App.StopAsync(quick.Token);
            await upstream.App.DisposeAsync();
        }
    }

    // Started when the yaml is written (InitializeAsync reads Yaml once, before the server starts).
    private Uri Upstream()
    {
        _upstream ??= LoopbackApp.StartAsync(app =>
        {
            app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "held", @object = "model" } } }));
            app.MapPost("/v1/completions", async (HttpContext http) =>
            {
                using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                if (!body.RootElement.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
                {
                    await http.Response.WriteAsJsonAsync(
                        new { id = "cmpl-1", @object = "text_completion", created = 0, model = "held", choices = new[] { new { index = 0, text = " once", finish_reason = "length" } }, usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 } },
                        http.RequestAborted);
                    return;
                }

                http.Response.ContentType = "text/event-stream";
                for (var i = 0; i < 1200 && !http.RequestAborted.IsCancellationRequested; i++)
                {
                    await http.Response.WriteAsync("data: {\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"x\"}]}\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                    await Task.Delay(50, http.RequestAborted);
                }
            });
        }).GetAwaiter().GetResult();
        return _upstream.Value.Url;
    }
}
