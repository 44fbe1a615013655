using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Yardmaster.Inference.Catalog;

/// <summary>
/// Downloads models into a <see cref="ModelCache"/>: into <c>FILE.partial</c>, resuming a partial file
/// with a <c>Range</c> request, verifying the SHA-256 when the catalog knows it, then renaming into place,
/// so the final name only ever holds a complete file. Not safe for two pulls of the same file at once.
/// </summary>
public sealed class ModelPuller
{
    private const int BufferSize = 1 << 16;

    private readonly ModelCache _cache;
    private readonly HttpClient _http;
    private readonly Uri? _baseUrl;

    /// <summary>
    /// Creates a puller. <paramref name="baseUrl"/>, when given, is a mirror that catalog names are
    /// fetched from (see <see cref="ModelCatalogEntry.ResolveUrl"/>); URL arguments ignore it.
    /// </summary>
    public ModelPuller(ModelCache cache, HttpClient httpClient, Uri? baseUrl = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(httpClient);
        _cache = cache;
        _http = httpClient;
        _baseUrl = baseUrl;
    }

    /// <summary>How long to wait for a response's headers before giving up with a <see cref="TimeoutException"/> (default 10 s).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An <see cref="HttpClient"/> suited to large downloads: no overall timeout, a 10 s connect timeout.</summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("yardmaster", "0.1"));
        return client;
    }

    /// <summary>The URL a catalog entry is fetched from by this puller.</summary>
    public Uri ResolveUrl(ModelCatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.ResolveUrl(_baseUrl);
    }

    /// <summary>
    /// Makes <paramref name="nameOrUrl"/> present in the cache: a catalog name, or an http(s) URL of any
    /// <c>.gguf</c> file (stored under its file name, not checksummed but checked to start with the GGUF
    /// magic). A file already present is hashed and kept when it matches. Throws
    /// <see cref="ArgumentException"/> for an unknown name, <see cref="ModelChecksumException"/> when the
    /// download does not match (nothing is left in the cache), <see cref="HttpRequestException"/> for an
    /// HTTP failure, <see cref="TimeoutException"/> when the server does not answer within
    /// <see cref="ResponseTimeout"/>, and <see cref="IOException"/> when the transfer breaks off (the
    /// partial file is kept and the next pull resumes it).
    /// </summary>
    public async Task<ModelPullResult> PullAsync(string nameOrUrl, IProgress<ModelPullProgress>? progress, CancellationToken cancellationToken)
    {
        var (entry, url) = Resolve(nameOrUrl);
        var path = _cache.GetPath(entry.FileName);
        if (File.Exists(path))
        {
            var existing = await HashAsync(path, cancellationToken).ConfigureAwait(false);
            if (entry.Sha256 is null || existing == entry.Sha256)
            {
                return new ModelPullResult(entry.Name, path, url, new FileInfo(path).Length, existing, entry.Sha256 is not null, false, false);
            }

            File.Delete(path);
        }

        Directory.CreateDirectory(_cache.Directory);
        var partial = _cache.GetPartialPath(entry.FileName);
        var resumed = await DownloadAsync(url, partial, entry.SizeBytes, progress, cancellationToken).ConfigureAwait(false);

        var bytes = new FileInfo(partial).Length;
        var sha = await HashAsync(partial, cancellationToken).ConfigureAwait(false);
        if (entry.Sha256 is not null && sha != entry.Sha256)
        {
            File.Delete(partial);
            File.Delete(path);
            throw new ModelChecksumException(entry.FileName, entry.Sha256, sha, bytes);
        }

        if (entry.Sha256 is null && !await StartsWithGgufMagicAsync(partial, cancellationToken).ConfigureAwait(false))
        {
            File.Delete(partial);
            throw new InvalidDataException($"{url} is not a GGUF file (it does not start with \"GGUF\"); the download was deleted");
        }

        File.Move(partial, path, overwrite: true);
        return new ModelPullResult(entry.Name, path, url, bytes, sha, entry.Sha256 is not null, true, resumed);
    }

    /// <summary>
    /// Why <paramref name="nameOrUrl"/> cannot be pulled (neither a catalog name nor an http(s) URL of a
    /// <c>.gguf</c> file), or null when it can. Lets a command line reject it before any I/O.
    /// </summary>
    public static string? Validate(string? nameOrUrl)
    {
        if (string.IsNullOrWhiteSpace(nameOrUrl))
        {
            return "no model name or URL given";
        }

        if (ModelCatalog.TryFind(nameOrUrl, out _))
        {
            return null;
        }

        if (!Uri.TryCreate(nameOrUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            var known = string.Join(", ", ModelCatalog.Entries.Select(e => e.Name));
            return $"'{nameOrUrl}' is neither a known model ({known}) nor an http(s) URL";
        }

        var fileName = FileNameOf(url);
        return fileName.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && fileName.Length > ".gguf".Length
            ? null
            : $"'{nameOrUrl}' does not name a .gguf file";
    }

    private (ModelCatalogEntry Entry, Uri Url) Resolve(string nameOrUrl)
    {
        var problem = Validate(nameOrUrl);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(nameOrUrl));
        }

        if (ModelCatalog.TryFind(nameOrUrl, out var entry))
        {
            return (entry, entry.ResolveUrl(_baseUrl));
        }

        var url = new Uri(nameOrUrl);
        var fileName = FileNameOf(url);
        return (new ModelCatalogEntry(Path.GetFileNameWithoutExtension(fileName), url, fileName, null, null, null), url);
    }

    private static string FileNameOf(Uri url) => Uri.UnescapeDataString(url.Segments[^1]);

    /// <summary>Fills <paramref name="partial"/> with the whole file; returns whether a range request continued it.</summary>
    private async Task<bool> DownloadAsync(
        Uri url, string partial, long? knownSize, IProgress<ModelPullProgress>? progress, CancellationToken cancellationToken)
    {
        // Two rounds at most: a range answer we cannot use (wrong start, or 416 for an incomplete file)
        // discards the partial file and starts again from zero.
        for (var round = 0; ; round++)
        {
            var existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (knownSize is { } size && existing > size)
            {
                File.Delete(partial);
                existing = 0;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (existing > 0)
            {
                request.Headers.Range = new RangeHeaderValue(existing, null);
            }

            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            var restart = false;
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent when existing > 0:
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From == existing)
                    {
                        await CopyAsync(response, partial, existing, range.Length ?? knownSize, progress, cancellationToken).ConfigureAwait(false);
                        return true;
                    }

                    restart = true;
                    break;
                case HttpStatusCode.RequestedRangeNotSatisfiable when existing > 0:
                    // The server has no bytes past what we hold: complete when that is the whole file.
                    var total = response.Content.Headers.ContentRange?.Length ?? knownSize;
                    if (total == existing)
                    {
                        return true;
                    }

                    restart = true;
                    break;
                case HttpStatusCode.OK or HttpStatusCode.PartialContent:
                    // Also a server that ignores Range: it sends the whole file, so start over.
                    await CopyAsync(response, partial, 0, response.Content.Headers.ContentLength ?? knownSize, progress, cancellationToken).ConfigureAwait(false);
                    return false;
                default:
                    throw new HttpRequestException(
                        $"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            }

            if (restart && round > 0)
            {
                throw new HttpRequestException($"GET {url} answered {(int)response.StatusCode} to a range request twice; giving up");
            }

            File.Delete(partial);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        headers.CancelAfter(ResponseTimeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no response from {request.RequestUri!.Authority} within {ResponseTimeout.TotalSeconds:0} s", e);
        }
    }

    private static async Task CopyAsync(
        HttpResponseMessage response, string partial, long offset, long? total, IProgress<ModelPullProgress>? progress, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var file = new FileStream(partial, offset > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize);
            await using (file.ConfigureAwait(false))
            {
                var buffer = new byte[BufferSize];
                var received = offset;
                progress?.Report(new ModelPullProgress(received, total));
                int n;
                while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    received += n;
                    progress?.Report(new ModelPullProgress(received, total));
                }
            }
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    private static async Task<bool> StartsWithGgufMagicAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16);
        await using (stream.ConfigureAwait(false))
        {
            var head = new byte[4];
            var n = await stream.ReadAtLeastAsync(head, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return n == 4 && head.AsSpan().SequenceEqual("GGUF"u8);
        }
    }
}
