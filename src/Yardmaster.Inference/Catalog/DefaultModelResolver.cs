using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Catalog;

/// <summary>
/// Finds the model to serve when none is named: the default catalog model from the cache (size checked),
/// else pulled; when the pull cannot reach the server (name resolution, connection refused, TLS, or no
/// answer within the puller's timeout), a synthetic model of the same shape, generated once into the
/// cache and reused while offline. Any other failure (an HTTP error status, a checksum mismatch) propagates.
/// </summary>
public sealed class DefaultModelResolver
{
    private readonly ModelCache _cache;
    private readonly ModelPuller _puller;
    private readonly Action<string> _log;

    /// <summary>
    /// Creates the resolver. <paramref name="log"/> receives the one line said when falling back to a
    /// synthetic model (default: discarded).
    /// </summary>
    public DefaultModelResolver(ModelCache cache, HttpClient httpClient, Uri? baseUrl = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
        _puller = new ModelPuller(cache, httpClient, baseUrl);
        _log = log ?? (_ => { });
    }

    /// <summary>The catalog entry that is resolved (<see cref="ModelCatalog.Default"/>).</summary>
    public static ModelCatalogEntry Entry => ModelCatalog.Default;

    /// <summary>File name of the synthetic stand-in in the cache.</summary>
    public static string SyntheticFileName => Entry.Name + "-synthetic.gguf";

    /// <summary>Returns the path of the model to serve; see the class summary for the order.</summary>
    public async Task<ResolvedModel> ResolveAsync(IProgress<ModelPullProgress>? progress, CancellationToken cancellationToken)
    {
        if (_cache.Contains(Entry, out var cached))
        {
            return new ResolvedModel(cached, IsSynthetic: false);
        }

        Exception failure;
        try
        {
            var pulled = await _puller.PullAsync(Entry.Name, progress, cancellationToken).ConfigureAwait(false);
            return new ResolvedModel(pulled.Path, IsSynthetic: false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsUnreachable(e))
        {
            failure = e;
        }

        var host = _puller.ResolveUrl(Entry).Authority;
        var path = _cache.GetPath(SyntheticFileName);
        if (File.Exists(path))
        {
            _log($"offline: could not reach {host} ({failure.Message}); using the synthetic model of the same shape at {path} instead");
            return new ResolvedModel(path, IsSynthetic: true);
        }

        _log($"offline: could not reach {host} ({failure.Message}); generating a synthetic model of the same shape instead");
        var options = new SyntheticModelOptions { Shape = Entry.OfflineShape!, Name = Path.GetFileNameWithoutExtension(SyntheticFileName) };
        await SyntheticModel.WriteAsync(options, path, cancellationToken).ConfigureAwait(false);
        return new ResolvedModel(path, IsSynthetic: true);
    }

    private static bool IsUnreachable(Exception e) => e is TimeoutException or HttpRequestException
    {
        HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
    };
}
