using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.ModelServer;

namespace Yardmaster.Server.Tests.Cli;

/// <summary><c>yard model-server</c> without <c>--model</c>: the default model from the cache, a mirror, or offline a synthetic stand-in.</summary>
public sealed class ModelServerDefaultModelTests : IDisposable
{
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan _stopTimeout = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _home = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ModelsDirectory => Path.Combine(_home.Path, "models");

    [Fact]
    public async Task ModelServer_NoModelAndServerUnreachable_GeneratesSyntheticModelOnceServesItAndReusesIt()
    {
        using var closed = new ClosedPort();
        var synthetic = Path.Combine(ModelsDirectory, "stories260K-synthetic.gguf");

        DateTime written;
        await using (var yard = StartServer(closed.Url))
        {
            var url = await yard.WaitForLineAsync("listening on ", _startTimeout);

            var offline = OutputLines(yard).Where(l => l.Contains("could not reach", StringComparison.Ordinal)).ToList();
            var line = Assert.Single(offline);
            Assert.Contains($"could not reach {closed.Url.Authority}", line, StringComparison.Ordinal);
            Assert.Contains("generating a synthetic model of the same shape instead", line, StringComparison.Ordinal);
            Assert.Equal([line], Lines(yard.Stderr));
            await AssertServesAsync(new Uri(url), "stories260K-synthetic");
            Assert.Equal(0, await yard.TerminateAsync(_stopTimeout));
            Assert.True(File.Exists(synthetic), $"no {synthetic}");
            written = File.GetLastWriteTimeUtc(synthetic);
        }

        await using (var again = StartServer(closed.Url))
        {
            var url = await again.WaitForLineAsync("listening on ", _startTimeout);

            var line = Assert.Single(OutputLines(again), l => l.Contains("could not reach", StringComparison.Ordinal));
            Assert.Contains($"using the synthetic model of the same shape at {synthetic} instead", line, StringComparison.Ordinal);
            Assert.DoesNotContain("generating", again.Stderr, StringComparison.Ordinal);
            Assert.Equal(written, File.GetLastWriteTimeUtc(synthetic));
            await AssertServesAsync(new Uri(url), "stories260K-synthetic");
            Assert.Equal(0, await again.TerminateAsync(_stopTimeout));
        }
    }

    [Fact]
    public async Task ModelServer_NoModelWithMirror_PullsDefaultModelAndServesReferenceText()
    {
        await using var mirror = await ModelMirror.StartAsync(SharedModels.Stories260K);
        await using var yard = StartServer(mirror.BaseUrl);

        var url = await yard.WaitForLineAsync("listening on ", _startTimeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        using var response = await http.PostAsJsonAsync("/v1/completions", new { prompt = "", max_tokens = 60, temperature = 0 }, Ct);
        var body = await ModelServerTests.Json(response);

        Assert.Equal(ModelServerTests.ReferenceText, body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(["/stories260K.gguf"], mirror.Requests);
        Assert.Equal(await File.ReadAllBytesAsync(SharedModels.Stories260K, Ct), await File.ReadAllBytesAsync(Path.Combine(ModelsDirectory, "stories260K.gguf"), Ct));
        Assert.DoesNotContain("could not reach", yard.Stderr, StringComparison.Ordinal);
        Assert.Contains("yard model-server: stories260K (stories260K.gguf", yard.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await yard.TerminateAsync(_stopTimeout));
    }

    public void Dispose() => _home.Dispose();

    private YardProcess StartServer(Uri baseUrl) => YardProcess.Start(
        ["model-server", "--port", "0", "--slots", "1", "--threads", "1", "--ctx", "256"],
        new Dictionary<string, string> { ["YARD_HOME"] = _home.Path, ["YARD_MODEL_BASE_URL"] = baseUrl.ToString() });

    private static IEnumerable<string> OutputLines(YardProcess yard) => Lines(yard.Stdout).Concat(Lines(yard.Stderr));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>/v1/models lists the model and a greedy completion returns text.</summary>
    private static async Task AssertServesAsync(Uri url, string name)
    {
        using var http = new HttpClient { BaseAddress = url };
        var models = await ModelServerTests.Json(await http.GetAsync("/v1/models", Ct));
        using var response = await http.PostAsJsonAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 8, temperature = 0 }, Ct);
        var body = await ModelServerTests.Json(response);

        var model = Assert.Single(models.GetProperty("data").EnumerateArray());
        Assert.Equal(name, model.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(JsonValueKind.String, choice.GetProperty("text").ValueKind);
        Assert.InRange(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 8);
        Assert.Contains(choice.GetProperty("finish_reason").GetString(), new[] { "length", "stop" });
    }
}
