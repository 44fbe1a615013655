namespace Yardmaster.Inference.Catalog;

/// <summary>The model file to serve.</summary>
/// <param name="Path">The GGUF file.</param>
/// <param name="IsSynthetic">True when it is a synthetic stand-in generated because the real model could not be fetched.</param>
public sealed record ResolvedModel(string Path, bool IsSynthetic);
