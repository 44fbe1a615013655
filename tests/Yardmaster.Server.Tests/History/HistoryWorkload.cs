using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.History;

/// <summary>The server the history tests fill: one small model, a task with an SLO and one rate-limited to a request a minute.</summary>
internal static class HistoryWorkload
{
    public const string Config = """
        server: { port: 0 }
        models:
          - name: tiny
            path: stories260K.gguf
            slots: 2
            context: 512
        tasks:
          - name: chat
            priority: high
            slo: { latency: 30s }
            models: [tiny]
          - name: limited
            slo: { latency: 30s }
            rate: { rate: 1/m, burst: 1 }
            models: [tiny]
        """;

    /// <summary>
    /// GETs <paramref name="path"/> until <paramref name="condition"/> holds: a request is recorded just after its answer
    /// is sent, so a read right after it may not see it yet.
    /// </summary>
    public static async Task<JsonElement> WaitForAsync(GatewayHarness gateway, string path, Func<JsonElement, bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var answer = await gateway.GetJsonAsync(path);
            if (condition(answer))
            {
                return answer.Clone();
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"GET {path} did not show what was expected within 10 s: {answer}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The requests of <paramref name="task"/> in a <c>/api/stats</c> answer (0 when absent).</summary>
    public static int Requests(JsonElement stats, string task) =>
        stats.GetProperty("tasks").TryGetProperty(task, out var t) ? t.GetProperty("requests").GetInt32() : 0;

    /// <summary>One completion of exactly <paramref name="tokens"/> tokens of <paramref name="task"/>; fails the test when it is not answered.</summary>
    public static async Task CompleteAsync(GatewayHarness gateway, string task, int tokens)
    {
        using var response = await gateway.PostAsync("/v1/completions", new { model = task, prompt = "Once upon a time", max_tokens = tokens, ignore_eos = true });
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
    }
}
