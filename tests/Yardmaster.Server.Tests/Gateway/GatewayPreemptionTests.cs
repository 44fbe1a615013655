using System.Net;
using System.Text;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// Priority inside the builtin engine, through the gateway: a high-class request finds the one slot held by a batch answer,
/// is answered at once, and the batch answer resumes and ends as it would have alone (its client sees only a delay).
/// </summary>
public sealed class GatewayPreemptionTests
{
    private const int BatchTokens = 1500;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(bool preempt) => $$"""
        server: { port: 0 }
        models:
          - name: one-slot
            path: stories260K.gguf
            slots: 1
            context: 2048
            preempt: {{(preempt ? "true" : "false")}}
        tasks:
          - { name: chat, priority: high, models: [one-slot] }
          - { name: nightly, priority: batch, models: [one-slot] }
        """;

    [Fact]
    public async Task HighRequest_SlotHeldByBatchAnswer_AnsweredWhileTheBatchAnswerWaitsThenBothComplete()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config(preempt: true), data.Path);
        var alone = await TextAsync(await gateway.PostAsync("/v1/completions", BatchBody(stream: false)));

        using var batch = await gateway.PostAsync("/v1/completions", BatchBody(stream: true));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var reader = new StreamReader(await batch.Content.ReadAsStreamAsync(Ct));
        var streamed = new StringBuilder();
        await ReadEventAsync(reader, streamed); // the batch answer is decoding in the one slot
        var rest = ReadAllAsync(reader, streamed);

        using var high = await gateway.PostAsync("/v1/completions", new { model = "chat", prompt = "The cat", max_tokens = 8, ignore_eos = true }, ("X-Request-Id", "high-1"));
        var batchEndedFirst = rest.IsCompleted;
        var highBody = JsonDocument.Parse(await high.Content.ReadAsStringAsync(Ct)).RootElement;
        var finish = await rest;

        Assert.Equal(HttpStatusCode.OK, high.StatusCode);
        Assert.Equal(8, highBody.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.False(batchEndedFirst, "the batch answer ended before the high request was answered: nothing was preempted");
        Assert.Equal("length", finish);
        Assert.Equal(alone, streamed.ToString()); // resumed where it stopped: the same text as alone
        var trace = await gateway.GetJsonAsync("/api/requests/high-1");
        Assert.True(trace.GetProperty("dispatch").GetProperty("preempting").GetBoolean());
        var stats = await gateway.AssertSettledAsync();
        Assert.Equal(2, stats.GetProperty("tasks").GetProperty("nightly").GetProperty("outcomes").GetProperty("completed").GetInt32()); // alone, then preempted
        Assert.Equal(1, stats.GetProperty("tasks").GetProperty("chat").GetProperty("outcomes").GetProperty("completed").GetInt32());
        Assert.Contains("taking a less urgent request's slot", trace.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HighRequest_PreemptOff_WaitsForTheBatchAnswerToEnd()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config(preempt: false), data.Path);

        using var batch = await gateway.PostAsync("/v1/completions", BatchBody(stream: true));
        var reader = new StreamReader(await batch.Content.ReadAsStreamAsync(Ct));
        var streamed = new StringBuilder();
        await ReadEventAsync(reader, streamed);
        var rest = ReadAllAsync(reader, streamed);

        using var high = await gateway.PostAsync("/v1/completions", new { model = "chat", prompt = "The cat", max_tokens = 8, ignore_eos = true }, ("X-Request-Id", "high-2"));
        await rest;

        Assert.Equal(HttpStatusCode.OK, high.StatusCode);
        var trace = await gateway.GetJsonAsync("/api/requests/high-2");
        Assert.False(trace.GetProperty("dispatch").GetProperty("preempting").GetBoolean());
        Assert.DoesNotContain("less urgent", trace.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    private static object BatchBody(bool stream) =>
        new { model = "nightly", prompt = "Once upon a time", max_tokens = BatchTokens, ignore_eos = true, temperature = 0, stream };

    private static async Task<string> TextAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            return body.GetProperty("choices")[0].GetProperty("text").GetString()!;
        }
    }

    /// <summary>Reads up to the next event with text or a finish; returns its finish reason, or null.</summary>
    private static async Task<string?> ReadEventAsync(StreamReader reader, StringBuilder text)
    {
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            var choice = JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("choices")[0];
            text.Append(choice.GetProperty("text").GetString());
            return choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        }

        throw new InvalidOperationException("the stream ended without a finish reason");
    }

    private static async Task<string> ReadAllAsync(StreamReader reader, StringBuilder text)
    {
        while (true)
        {
            if (await ReadEventAsync(reader, text) is { } finish)
            {
                return finish;
            }
        }
    }
}
