namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>One header field: what it is, where it starts and how many bytes it takes.</summary>
public sealed record GgufField(string Name, GgufFieldKind Kind, long Offset, int Size);
