namespace Yardmaster.Inference.Tests.Catalog;

/// <summary>A request the loopback server received.</summary>
public sealed record LoopbackRequest(string Method, string Path, string? Range);
