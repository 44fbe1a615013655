namespace Yardmaster.Inference.Catalog;

/// <summary>A model that is now in the cache.</summary>
/// <param name="Name">Catalog name, or the file name without extension for a URL.</param>
/// <param name="Path">The file in the cache.</param>
/// <param name="Url">Where it was (or would have been) fetched from.</param>
/// <param name="Bytes">Size of the file.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file.</param>
/// <param name="Verified">Whether the SHA-256 was checked against a known value.</param>
/// <param name="Downloaded">False when the file was already in the cache.</param>
/// <param name="Resumed">Whether the download continued a partial file with a range request.</param>
public sealed record ModelPullResult(
    string Name, string Path, Uri Url, long Bytes, string Sha256, bool Verified, bool Downloaded, bool Resumed);
