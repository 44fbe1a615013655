using System.Net;
using System.Text;
using Yardmaster.Cli.Commands;

namespace Yardmaster.Server.Tests.Cli;

public sealed class ChatStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_DeltasThenUsageChunk_ReturnsTextAndUsage()
    {
        var deltas = new List<string>();
        using var response = Events(
            """{"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Once"}}]}""",
            """{"model":"m","choices":[{"index":0,"delta":{"content":" upon"},"finish_reason":"length"}]}""",
            """{"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "[DONE]");

        var answer = await ChatStream.ReadAsync(response, deltas.Add, Ct);

        Assert.Equal(["Once", " upon"], deltas);
        Assert.Equal("Once upon", answer.Text);
        Assert.Equal(2, (int)answer.Usage!["completion_tokens"]!);
        Assert.Equal("length", answer.FinishReason);
        Assert.Null(answer.Error);
    }

    [Fact]
    public async Task ReadAsync_ErrorEventMidStream_KeepsTheTextAndReturnsTheMessage()
    {
        using var response = Events(
            """{"choices":[{"index":0,"delta":{"content":"Once"}}]}""",
            """{"error":{"message":"the replica exited","type":"server_error","code":"backend_failed"}}""",
            "[DONE]");

        var answer = await ChatStream.ReadAsync(response, _ => { }, Ct);

        Assert.Equal("Once", answer.Text);
        Assert.Equal("the replica exited", answer.Error);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsWithoutDone_ReportsIt()
    {
        using var response = Events("""{"choices":[{"index":0,"delta":{"content":"Once"}}]}""");

        var answer = await ChatStream.ReadAsync(response, _ => { }, Ct);

        Assert.Equal("the stream ended without [DONE]", answer.Error);
    }

    private static HttpResponseMessage Events(params string[] data)
    {
        var body = new StringBuilder();
        foreach (var d in data)
        {
            body.Append("data: ").Append(d).Append("\n\n");
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToString(), Encoding.UTF8, "text/event-stream") };
    }
}
