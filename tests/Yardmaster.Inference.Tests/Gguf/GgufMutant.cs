namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>A damaged file and what was done to it, enough to reproduce it with its seed.</summary>
public sealed record GgufMutant(byte[] Bytes, string Description);
