using System.Text.Json;
using System.Text.RegularExpressions;

namespace Yardmaster.Server.Tests.Cli;

public sealed partial class ChatCommandTests(YardServeFixture server) : IClassFixture<YardServeFixture>
{
    private const string Prompt = "Once upon a time";

    [Fact]
    public async Task Chat_Text_PrintsTheAnswerAndNamesTheModelWithTimingOnStderr()
    {
        var (code, stdout, stderr) = await server.RunAsync(["chat", "chat", Prompt, "--max-tokens", "24", "--temperature", "0"]);
        var (jsonCode, json, _) = await server.RunAsync(["chat", "chat", Prompt, "--max-tokens", "24", "--temperature", "0", "--output", "json"]);

        Assert.Equal(0, code);
        Assert.Equal(0, jsonCode);
        var greedy = JsonDocument.Parse(json).RootElement.GetProperty("text").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(greedy));
        Assert.Equal(greedy.TrimEnd('\n'), stdout.TrimEnd('\n'));
        Assert.Matches(ServedLine(), stderr);
    }

    [Fact]
    public async Task Chat_Json_PrintsOneObjectWithTaskModelTextUsageAndTimes()
    {
        var (code, stdout, stderr) = await server.RunAsync(["chat", "chat", Prompt, "--max-tokens", "16", "--system", "You tell short stories.", "--output", "json"]);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var result = JsonDocument.Parse(line).RootElement;
        Assert.Equal("chat", result.GetProperty("task").GetString());
        Assert.Equal("stories260K", result.GetProperty("model").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("text").GetString()));
        var usage = result.GetProperty("usage");
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 1, 16);
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        var ttft = result.GetProperty("ttft_ms").GetDouble();
        Assert.InRange(ttft, 0.0, result.GetProperty("latency_ms").GetDouble());
    }

    [Fact]
    public async Task Chat_UnknownTask_Exits1NamingTheTasksAndModelsThatExist()
    {
        var (code, stdout, stderr) = await server.RunAsync(["chat", "no-such-task", Prompt]);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("404", stderr, StringComparison.Ordinal);
        Assert.Contains("'no-such-task' not found; tasks: batch, chat; models: stories260K", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_NoKey_Exits1WithTheServersMessage()
    {
        var (code, _, stderr) = await server.RunAsync(["chat", "chat", Prompt], new Dictionary<string, string> { ["YARD_API_KEY"] = string.Empty });

        Assert.Equal(1, code);
        Assert.Contains("401", stderr, StringComparison.Ordinal);
        Assert.Contains("missing API key", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ApiKeyFlag_IsSentAsBearer()
    {
        var (code, stdout, _) = await server.RunAsync(["chat", "batch", Prompt, "--max-tokens", "4", "--api-key", YardServeFixture.ApiKey]);

        Assert.Equal(0, code);
        Assert.NotEqual(string.Empty, stdout.Trim());
    }

    [Theory]
    [InlineData("--max-tokens", "0", "--max-tokens must be at least 1")]
    [InlineData("--temperature", "3", "--temperature must be between 0 and 2")]
    public async Task Chat_BadOption_Exits2NamingIt(string option, string value, string message)
    {
        var (code, _, stderr) = await server.RunAsync(["chat", "chat", Prompt, option, value]);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\[stories260K for task chat: first token \d+ ms, done in \d+ ms, \d+ tokens, finish (length|stop)\]$", RegexOptions.Multiline)]
    private static partial Regex ServedLine();
}
