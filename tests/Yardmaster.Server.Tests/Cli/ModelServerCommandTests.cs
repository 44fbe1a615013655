using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.ModelServer;

namespace Yardmaster.Server.Tests.Cli;

public class ModelServerCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ModelServer_ChildProcess_ServesReferenceGreedyTextAndStopsOnSigterm()
    {
        await using var yard = YardProcess.Start(["model-server", "--model", SharedModels.Stories260K, "--port", "0", "--slots", "2", "--threads", "1"]);
        var url = await yard.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        using var response = await http.PostAsJsonAsync("/v1/completions", new { prompt = "", max_tokens = 60, temperature = 0 }, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(ModelServerTests.ReferenceText, body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(0, await yard.TerminateAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("stopped", yard.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelServer_SigtermDuringLongStream_EndsTheStreamAndExitsCleanly()
    {
        await using var yard = YardProcess.Start(["model-server", "--model", SharedModels.Stories260K, "--port", "0", "--ctx", "8192", "--slots", "1"]);
        var url = await yard.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt = "", max_tokens = 8000, temperature = 0, ignore_eos = true, stream = true }),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var stream = await response.Content.ReadAsStreamAsync(Ct);
        await stream.ReadExactlyAsync(new byte[64], Ct);

        Assert.Equal(0, await yard.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stopped", yard.Stdout, StringComparison.Ordinal);

        // The running sequence was ended by the stop, not generated to its 8,000 tokens.
        using var rest = new StreamReader(stream);
        var tail = await rest.ReadToEndAsync(Ct);
        Assert.DoesNotContain("\"finish_reason\":\"length\"", tail, StringComparison.Ordinal);
        Assert.True(tail.Split("data: ").Length < 8000, "the stream ran to its end");
    }

    [Fact]
    public async Task ModelServer_NotAGgufFile_ExitsWithErrorNamingTheProblem()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "this is not a model, just some text that is long enough", Ct);
        try
        {
            var (code, _, stderr) = await YardProcess.RunAsync(["model-server", "--model", path, "--port", "0"]);

            Assert.Equal(1, code);
            Assert.Contains("not a GGUF file", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--slots", "0", "slots must be between 1 and 256")]
    [InlineData("--port", "70000", "port must be between 0 and 65535")]
    [InlineData("--threads", "-2", "threads must be between")]
    public async Task ModelServer_BadOption_ExitsWith2NamingIt(string option, string value, string message)
    {
        var (code, _, stderr) = await YardProcess.RunAsync(["model-server", "--model", SharedModels.Stories260K, option, value]);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_OnEveryCommand_PrintsVersion()
    {
        var (root, rootOut, _) = await YardProcess.RunAsync(["--version"]);
        var (sub, subOut, _) = await YardProcess.RunAsync(["model-server", "--version"]);

        Assert.Equal(0, root);
        Assert.Equal(0, sub);
        Assert.StartsWith("0.1.0", rootOut, StringComparison.Ordinal);
        Assert.Equal(rootOut, subOut);
    }
}
