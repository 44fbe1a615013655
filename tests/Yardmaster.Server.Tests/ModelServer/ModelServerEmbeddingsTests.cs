using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using OpenAI;
using OpenAI.Embeddings;
using Yardmaster.Inference.Engine;

namespace Yardmaster.Server.Tests.ModelServer;

/// <summary><c>POST /v1/embeddings</c> on a real model server (stories260K, width 64, context 256), with the official client and raw JSON.</summary>
public sealed class ModelServerEmbeddingsTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    private static readonly string[] Inputs = ["Once upon a time", "The cat sat on the mat.", "Lily"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Embeddings_OfficialClientBatch_InInputOrderEqualToTheEngines()
    {
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseUrl, "/v1") }).GetEmbeddingClient("stories260K");

        ClientResult<OpenAIEmbeddingCollection> result = await client.GenerateEmbeddingsAsync(Inputs, cancellationToken: Ct);

        var tokenizer = server.App.Engine.Tokenizer;
        var tokens = Inputs.Select(t => tokenizer.Encode(t, tokenizer.AddBos, parseSpecial: true)).ToArray();
        var engine = await server.App.Engine.EmbedAsync(new EmbeddingRequest(tokens), Ct);
        Assert.Equal([0, 1, 2], result.Value.Select(e => e.Index));
        for (var i = 0; i < Inputs.Length; i++)
        {
            Assert.Equal(engine.Vectors![i], result.Value[i].ToFloats().ToArray());
        }

        Assert.Equal(tokens.Sum(t => t.Length), result.Value.Usage.InputTokenCount);
        Assert.Equal(tokens.Sum(t => t.Length), result.Value.Usage.TotalTokenCount);
        Assert.Equal("stories260K", result.Value.Model);
    }

    [Fact]
    public async Task Embeddings_FloatBase64AndTokenIds_GiveTheSameVector()
    {
        var ids = server.App.Engine.Tokenizer.Encode("Lily", server.App.Engine.Tokenizer.AddBos, parseSpecial: true);

        var asFloats = await PostAsync(new { model = "stories260K", input = "Lily" });
        var asBase64 = await PostAsync(new { input = new[] { "Lily" }, encoding_format = "base64", dimensions = 64 });
        var asTokens = await PostAsync(new { input = ids, encoding_format = "float" });

        var floats = asFloats.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var decoded = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(asBase64.GetProperty("data")[0].GetProperty("embedding").GetString()!)).ToArray();
        var fromTokens = asTokens.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(64, floats.Length);
        Assert.Equal(1.0, Math.Sqrt(floats.Sum(v => (double)v * v)), 1e-5);
        Assert.Equal(floats, decoded);
        Assert.Equal(floats, fromTokens);
        Assert.Equal("list", asFloats.GetProperty("object").GetString());
        Assert.Equal("embedding", asFloats.GetProperty("data")[0].GetProperty("object").GetString());
        Assert.Equal(ids.Length, asFloats.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    public static TheoryData<string, int, string, string> Refusals => new()
    {
        { """{"input": ""}""", 400, "input", "'input' must not be an empty string" },
        { """{"input": []}""", 400, "input", "'input' must not be an empty array" },
        { """{"input": ["a", "b", ""]}""", 400, "input[2]", "'input[2]' must not be an empty string" },
        { """{"input": ["a", 7]}""", 400, "input[1]", "'input[1]' must be a string or an array of token ids, got a number (7)" },
        { """{"input": [[1, 2], [1, -3]]}""", 400, "input[1]", "'input[1]' must hold token ids (integers of at least 0); item 1 is a number (-3)" },
        { """{"input": [[1, 2], [1, 900]]}""", 400, "input[1]", "'input[1]' has token id 900 at 1, outside the vocabulary of model 'stories260K' (0..511)" },
        { """{"input": "a", "encoding_format": "int8"}""", 400, "encoding_format", "'encoding_format' must be \"float\" or \"base64\", got a string (\"int8\")" },
        { """{"input": "a", "dimensions": 32}""", 400, "dimensions", "'dimensions' is 32 but model 'stories260K' gives embeddings of 64 dimensions and cannot shorten them; leave 'dimensions' out or set it to 64" },
        { """{"input": "a", "dimensions": 0}""", 400, "dimensions", "'dimensions' must be an integer of at least 1, got a number (0)" },
        { """{"input": "a", "model": "other"}""", 404, "model", "model 'other' not found; this server serves 'stories260K'" },
        { """{"model": "stories260K"}""", 400, "input", "'input' is required: a string, an array of strings, an array of token ids or an array of arrays of token ids" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Embeddings_BadRequest_RefusedNamingTheField(string body, int status, string param, string message)
    {
        using var response = await server.Http.PostAsync("/v1/embeddings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Embeddings_InputLongerThanTheContext_RefusedNamingItsIndex()
    {
        var input = new[] { "Lily", string.Concat(Enumerable.Repeat("Once upon a time ", 100)) };

        using var response = await server.Http.PostAsJsonAsync("/v1/embeddings", new { input }, Ct);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("input[1]", error.GetProperty("param").GetString());
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("'input[1]' is more than 256 tokens but the context of model 'stories260K' is 256 tokens; shorten or split it", error.GetProperty("message").GetString());
        Assert.Equal(0, server.App.Engine.Status.BusySlots);
    }

    [Fact]
    public async Task Embeddings_MoreInputsThanTheLimit_Refused()
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/embeddings", new { input = Enumerable.Repeat("a", 2049).ToArray() }, Ct);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("'input' has 2049 inputs, more than the limit of 2048; send them in several requests", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Embeddings_TheLimitOfInputs_AllAnsweredInOrder()
    {
        var input = Enumerable.Range(0, 2048).Select(i => i % 2 == 0 ? "Lily" : "The cat").ToArray();

        var body = await PostAsync(new { input });

        var data = body.GetProperty("data");
        Assert.Equal(2048, data.GetArrayLength());
        Assert.Equal(Enumerable.Range(0, 2048), data.EnumerateArray().Select(d => d.GetProperty("index").GetInt32()));
        Assert.Equal(data[0].GetProperty("embedding").GetRawText(), data[2046].GetProperty("embedding").GetRawText());
        Assert.NotEqual(data[0].GetProperty("embedding").GetRawText(), data[1].GetProperty("embedding").GetRawText());
    }

    private async Task<JsonElement> PostAsync(object body)
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/embeddings", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
