using Yardmaster.Inference.Synthetic;

namespace Yardmaster.Inference.Catalog;

/// <summary>A model that <see cref="ModelPuller"/> can fetch by name.</summary>
/// <param name="Name">Name on the command line, e.g. <c>stories260K</c>.</param>
/// <param name="Url">Where the file is published.</param>
/// <param name="FileName">Name of the file in the cache, and on a mirror (see <see cref="ResolveUrl"/>).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file, or null when unknown.</param>
/// <param name="SizeBytes">Size of the file, or null when unknown.</param>
/// <param name="OfflineShape">Shape of the synthetic stand-in generated when the file cannot be fetched, or null.</param>
public sealed record ModelCatalogEntry(
    string Name, Uri Url, string FileName, string? Sha256, long? SizeBytes, SyntheticModelShape? OfflineShape)
{
    /// <summary>
    /// The URL to fetch: <see cref="Url"/> without a mirror; with a mirror base URL, the entry's
    /// <see cref="FileName"/> under it (<c>{base}/{FileName}</c>), so a mirror is laid out like the cache.
    /// </summary>
    public Uri ResolveUrl(Uri? baseUrl)
    {
        if (baseUrl is null)
        {
            return Url;
        }

        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        return new Uri(root, Uri.EscapeDataString(FileName));
    }
}
