namespace Yardmaster.Inference.Catalog;

/// <summary>How far a download has come.</summary>
/// <param name="BytesReceived">Bytes in the file so far, counting a resumed prefix.</param>
/// <param name="TotalBytes">Size of the whole file when known.</param>
public readonly record struct ModelPullProgress(long BytesReceived, long? TotalBytes);
