using Yardmaster.Inference.Catalog;

namespace Yardmaster.Inference.Tests.Catalog;

public class ModelCatalogTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/models", "http://127.0.0.1:8080/models/stories260K.gguf")]
    [InlineData("http://127.0.0.1:8080/models/", "http://127.0.0.1:8080/models/stories260K.gguf")]
    [InlineData("https://mirror.example/", "https://mirror.example/stories260K.gguf")]
    public void ResolveUrl_MirrorBase_JoinsTheCacheFileName(string baseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), ModelCatalog.Default.ResolveUrl(new Uri(baseUrl)));
    }

    [Fact]
    public void ResolveUrl_NoMirror_IsThePublishedUrl()
    {
        Assert.Equal(
            "https://huggingface.co/ggml-org/test-model-stories260K/resolve/main/stories260K-f32.gguf",
            ModelCatalog.Default.ResolveUrl(null).AbsoluteUri);
    }

    [Fact]
    public void Default_MatchesTheSharedStories260KFile()
    {
        var entry = ModelCatalog.Default;

        Assert.Equal(new FileInfo(SharedModels.Stories260K).Length, entry.SizeBytes);
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(SharedModels.Stories260K))),
            entry.Sha256);
        Assert.True(ModelCatalog.TryFind("STORIES260k", out _));
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/x", true)]
    [InlineData("https://example.org", true)]
    [InlineData("ftp://example.org", false)]
    [InlineData("not a url", false)]
    [InlineData("/relative/path", false)]
    public void TryParseBaseUrl_OnlyAbsoluteHttp(string text, bool ok)
    {
        Assert.Equal(ok, ModelCatalog.TryParseBaseUrl(text, out _));
    }
}
