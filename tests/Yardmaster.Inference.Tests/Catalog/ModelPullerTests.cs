using System.Security.Cryptography;
using Yardmaster.Inference.Catalog;

namespace Yardmaster.Inference.Tests.Catalog;

public class ModelPullerTests
{
    private static readonly CancellationToken _ct = CancellationToken.None;
    private static readonly byte[] _stories = File.ReadAllBytes(SharedModels.Stories260K);
    private static readonly HttpClient _http = ModelPuller.CreateHttpClient();

    [Fact]
    public async Task PullAsync_CatalogNameFromMirror_DownloadsVerifiesAndRenamesIntoPlace()
    {
        using var home = new TempDirectory();
        await using var server = new LoopbackHttpServer((request, _) =>
            request.Path == "/models/stories260K.gguf" ? LoopbackReply.File(_stories, request) : LoopbackReply.NotFound());
        var cache = new ModelCache(home.File("models"));
        var progress = new List<ModelPullProgress>();
        var puller = new ModelPuller(cache, _http, new Uri(server.BaseUrl, "models"));

        var result = await puller.PullAsync("stories260K", new InlineProgress(progress.Add), _ct);

        Assert.Equal(cache.GetPath("stories260K.gguf"), result.Path);
        Assert.Equal(ModelCatalog.Default.Sha256, result.Sha256);
        Assert.True(result.Verified);
        Assert.True(result.Downloaded);
        Assert.False(result.Resumed);
        Assert.Equal(_stories.Length, result.Bytes);
        Assert.Equal(_stories, await File.ReadAllBytesAsync(result.Path, _ct));
        Assert.Equal(new[] { "stories260K.gguf" }, Directory.GetFiles(cache.Directory).Select(Path.GetFileName));
        Assert.Equal(new ModelPullProgress(_stories.Length, _stories.Length), progress[^1]);
        Assert.Null(Assert.Single(server.Requests).Range);
    }

    [Fact]
    public async Task PullAsync_FileAlreadyCached_DoesNotDownload()
    {
        using var home = new TempDirectory();
        await using var server = new LoopbackHttpServer((request, _) => LoopbackReply.File(_stories, request));
        var puller = new ModelPuller(new ModelCache(home.Path), _http, server.BaseUrl);
        await puller.PullAsync("stories260K", null, _ct);

        var again = await puller.PullAsync("stories260K", null, _ct);

        Assert.False(again.Downloaded);
        Assert.Equal(ModelCatalog.Default.Sha256, again.Sha256);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task PullAsync_ChecksumMismatch_LeavesNothingInCacheAndNamesBothHashes()
    {
        using var home = new TempDirectory();
        var wrong = _stories.ToArray();
        wrong[^1] ^= 0xFF;
        await using var server = new LoopbackHttpServer((request, _) => LoopbackReply.File(wrong, request));
        var cache = new ModelCache(home.File("models"));
        var puller = new ModelPuller(cache, _http, server.BaseUrl);

        var e = await Assert.ThrowsAsync<ModelChecksumException>(() => puller.PullAsync("stories260K", null, _ct));

        var actual = Convert.ToHexStringLower(SHA256.HashData(wrong));
        Assert.Contains(ModelCatalog.Default.Sha256!, e.Message, StringComparison.Ordinal);
        Assert.Contains(actual, e.Message, StringComparison.Ordinal);
        Assert.Equal(actual, e.ActualSha256);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Directory));
    }

    [Fact]
    public async Task PullAsync_ConnectionDroppedHalfway_NextPullResumesWithRange()
    {
        using var home = new TempDirectory();
        var half = _stories.Length / 2;
        await using var server = new LoopbackHttpServer((request, index) =>
            LoopbackReply.File(_stories, request, sendBytes: index == 0 ? half : null));
        var cache = new ModelCache(home.Path);
        var puller = new ModelPuller(cache, _http, server.BaseUrl);

        await Assert.ThrowsAnyAsync<IOException>(() => puller.PullAsync("stories260K", null, _ct));
        Assert.Equal(half, new FileInfo(cache.GetPartialPath("stories260K.gguf")).Length);
        Assert.False(File.Exists(cache.GetPath("stories260K.gguf")));

        var result = await puller.PullAsync("stories260K", null, _ct);

        Assert.True(result.Resumed);
        Assert.True(result.Verified);
        Assert.Equal(ModelCatalog.Default.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(result.Path, _ct))));
        Assert.Equal([null, $"bytes={half}-"], server.Requests.Select(r => r.Range));
        Assert.False(File.Exists(cache.GetPartialPath("stories260K.gguf")));
    }

    [Fact]
    public async Task PullAsync_ServerIgnoresRange_RestartsFromZero()
    {
        using var home = new TempDirectory();
        await using var server = new LoopbackHttpServer((request, _) => LoopbackReply.File(_stories, request, honorRange: false));
        var cache = new ModelCache(home.Path);
        Directory.CreateDirectory(cache.Directory);
        await File.WriteAllBytesAsync(cache.GetPartialPath("stories260K.gguf"), new byte[1000], _ct);
        var puller = new ModelPuller(cache, _http, server.BaseUrl);

        var result = await puller.PullAsync("stories260K", null, _ct);

        Assert.False(result.Resumed);
        Assert.Equal("bytes=1000-", Assert.Single(server.Requests).Range);
        Assert.Equal(_stories, await File.ReadAllBytesAsync(result.Path, _ct));
    }

    [Fact]
    public async Task PullAsync_PartialAlreadyComplete_416IsTakenAsDone()
    {
        using var home = new TempDirectory();
        await using var server = new LoopbackHttpServer((request, _) => LoopbackReply.File(_stories, request));
        var cache = new ModelCache(home.Path);
        Directory.CreateDirectory(cache.Directory);
        await File.WriteAllBytesAsync(cache.GetPartialPath("stories260K.gguf"), _stories, _ct);
        var puller = new ModelPuller(cache, _http, server.BaseUrl);

        var result = await puller.PullAsync("stories260K", null, _ct);

        Assert.True(result.Verified);
        Assert.Equal($"bytes={_stories.Length}-", Assert.Single(server.Requests).Range);
        Assert.Equal(_stories, await File.ReadAllBytesAsync(result.Path, _ct));
    }

    [Fact]
    public async Task PullAsync_Url_DownloadsAnyGgufUnderItsFileName()
    {
        using var home = new TempDirectory();
        var tiny = await File.ReadAllBytesAsync(SharedModels.TinyRandomLlama, _ct);
        await using var server = new LoopbackHttpServer((request, _) => LoopbackReply.File(tiny, request));
        var cache = new ModelCache(home.Path);
        var puller = new ModelPuller(cache, _http);

        var result = await puller.PullAsync(new Uri(server.BaseUrl, "some/dir/tiny%20llama.gguf").AbsoluteUri, null, _ct);

        Assert.Equal("tiny llama", result.Name);
        Assert.Equal(cache.GetPath("tiny llama.gguf"), result.Path);
        Assert.False(result.Verified);
        Assert.Equal(tiny, await File.ReadAllBytesAsync(result.Path, _ct));
    }

    [Fact]
    public async Task PullAsync_UrlServingSomethingElse_RefusedAndDeleted()
    {
        using var home = new TempDirectory();
        await using var server = new LoopbackHttpServer((request, _) => LoopbackReply.File("<html>login</html>"u8.ToArray(), request));
        var cache = new ModelCache(home.Path);
        var puller = new ModelPuller(cache, _http);

        await Assert.ThrowsAsync<InvalidDataException>(() => puller.PullAsync(new Uri(server.BaseUrl, "x.gguf").AbsoluteUri, null, _ct));
        Assert.Empty(Directory.GetFileSystemEntries(cache.Directory));
    }

    [Fact]
    public async Task PullAsync_NotFound_ThrowsWithStatus()
    {
        using var home = new TempDirectory();
        await using var server = new LoopbackHttpServer((_, _) => LoopbackReply.NotFound());
        var puller = new ModelPuller(new ModelCache(home.Path), _http, server.BaseUrl);

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => puller.PullAsync("stories260K", null, _ct));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.StatusCode);
    }

    [Theory]
    [InlineData("no-such-model")]
    [InlineData("ftp://example.invalid/x.gguf")]
    [InlineData("http://example.invalid/model.bin")]
    public async Task PullAsync_UnknownNameOrNonGgufUrl_ThrowsArgumentException(string nameOrUrl)
    {
        using var home = new TempDirectory();
        var puller = new ModelPuller(new ModelCache(home.Path), _http);

        await Assert.ThrowsAsync<ArgumentException>(() => puller.PullAsync(nameOrUrl, null, _ct));
    }
}
