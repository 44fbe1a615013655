using System.Net;
using System.Net.Http.Json;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Tests.ModelServer;

/// <summary>The model server on llama-2-tiny-random: F16 weights and the 32,000-token Llama-2 vocabulary.</summary>
public class ModelServerTinyRandomLlamaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completions_TinyRandomLlamaGreedy_ReturnsSameNonEmptyTextTwice()
    {
        await using var app = ModelServerApp.Create(new ModelServerOptions
        {
            ModelPath = SharedModels.TinyRandomLlama,
            Port = 0,
            Engine = new() { Slots = 1, ContextLength = 128, Threads = 1 },
        });
        using var http = new HttpClient { BaseAddress = await app.StartAsync(Ct) };
        var request = new { prompt = "Once upon a time", max_tokens = 20, temperature = 0 };

        using var first = await http.PostAsJsonAsync("/v1/completions", request, Ct);
        using var second = await http.PostAsJsonAsync("/v1/completions", request, Ct);
        var body = await ModelServerTests.Json(first);
        var again = await ModelServerTests.Json(second);
        var models = await ModelServerTests.Json(await http.GetAsync("/v1/models", Ct));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var text = body.GetProperty("choices")[0].GetProperty("text").GetString();
        Assert.False(string.IsNullOrWhiteSpace(text), $"empty completion: {body}");
        Assert.Equal(text, again.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(20, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var model = models.GetProperty("data")[0];
        Assert.Equal("llama-2-tiny-random", model.GetProperty("id").GetString());
        Assert.Equal(32_000, model.GetProperty("meta").GetProperty("n_vocab").GetInt32());
    }
}
