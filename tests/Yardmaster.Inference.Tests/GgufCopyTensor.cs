using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tests;

/// <summary>A tensor of a <see cref="GgufCopy"/>: its name, ggml-order dimensions, type and bytes.</summary>
public sealed record GgufCopyTensor(string Name, long[] Dimensions, GgmlType Type, ReadOnlyMemory<byte> Data);
