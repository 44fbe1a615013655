using Yardmaster.Inference.Catalog;
using Yardmaster.Inference.Gguf;
using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Tests.Catalog;

public class DefaultModelResolverTests
{
    private static readonly CancellationToken _ct = CancellationToken.None;
    private static readonly HttpClient _http = ModelPuller.CreateHttpClient();

    [Fact]
    public async Task ResolveAsync_ServerUnreachable_SaysOneLineAndGeneratesThenReusesSyntheticModel()
    {
        using var home = new TempDirectory();
        var cache = new ModelCache(home.File("models"));
        var lines = new List<string>();
        var resolver = new DefaultModelResolver(cache, _http, LoopbackHttpServer.ClosedPortUrl(), lines.Add);

        var first = await resolver.ResolveAsync(null, _ct);

        Assert.True(first.IsSynthetic);
        Assert.Equal(cache.GetPath("stories260K-synthetic.gguf"), first.Path);
        var line = Assert.Single(lines);
        Assert.StartsWith("offline: could not reach 127.0.0.1:", line, StringComparison.Ordinal);
        Assert.EndsWith("generating a synthetic model of the same shape instead", line, StringComparison.Ordinal);
        using (var file = GgufFile.Open(first.Path))
        {
            var shape = SyntheticModelShape.Stories260K;
            Assert.Equal(shape.ParameterCount, file.Tensors.Sum(t => t.ElementCount));
            Assert.Equal(64, file.GetInt64("llama.embedding_length", 0));
            Assert.Equal(5, file.GetInt64("llama.block_count", 0));
            Assert.Equal(8, file.GetInt64("llama.attention.head_count", 0));
            Assert.Equal(4, file.GetInt64("llama.attention.head_count_kv", 0));
            Assert.Equal(172, file.GetInt64("llama.feed_forward_length", 0));
            Assert.Equal(2048, file.GetInt64("llama.context_length", 0));
            Assert.Equal(512, file.Find("tokenizer.ggml.tokens")!.AsArray().Count);
            Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        }

        var written = File.GetLastWriteTimeUtc(first.Path);
        lines.Clear();

        var second = await resolver.ResolveAsync(null, _ct);

        Assert.Equal(first, second);
        Assert.Equal(written, File.GetLastWriteTimeUtc(second.Path));
        Assert.Contains("using the synthetic model", Assert.Single(lines), StringComparison.Ordinal);
        Assert.Equal(new[] { "stories260K-synthetic.gguf" }, Directory.GetFiles(cache.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ResolveAsync_ServerReachable_PullsTheRealModel()
    {
        using var home = new TempDirectory();
        var bytes = await File.ReadAllBytesAsync(SharedModels.Stories260K, _ct);
        await using var server = new LoopbackHttpServer((request, _) => LoopbackReply.File(bytes, request));
        var lines = new List<string>();
        var resolver = new DefaultModelResolver(new ModelCache(home.Path), _http, server.BaseUrl, lines.Add);

        var resolved = await resolver.ResolveAsync(null, _ct);

        Assert.False(resolved.IsSynthetic);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(resolved.Path, _ct));
        Assert.Empty(lines);
    }

    [Fact]
    public async Task ResolveAsync_RealModelCached_UsesItWithoutNetwork()
    {
        using var home = new TempDirectory();
        var cache = new ModelCache(home.Path);
        Directory.CreateDirectory(cache.Directory);
        File.Copy(SharedModels.Stories260K, cache.GetPath("stories260K.gguf"));
        var lines = new List<string>();
        var resolver = new DefaultModelResolver(cache, _http, LoopbackHttpServer.ClosedPortUrl(), lines.Add);

        var resolved = await resolver.ResolveAsync(null, _ct);

        Assert.Equal(new ResolvedModel(cache.GetPath("stories260K.gguf"), false), resolved);
        Assert.Empty(lines);
    }

    [Fact]
    public async Task ResolveAsync_ServerAnswersWithAnError_Propagates()
    {
        using var home = new TempDirectory();
        await using var server = new LoopbackHttpServer((_, _) => LoopbackReply.NotFound());
        var resolver = new DefaultModelResolver(new ModelCache(home.Path), _http, server.BaseUrl);

        await Assert.ThrowsAsync<HttpRequestException>(() => resolver.ResolveAsync(null, _ct));
    }
}
