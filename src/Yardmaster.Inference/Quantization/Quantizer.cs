using System.Runtime.InteropServices;
using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Quantization;

/// <summary>
/// Converts rows of floats to and from ggml tensor encodings: F32, F16, Q8_0 and Q4_0, in ggml's byte
/// layouts and with its reference rounding. Pure and thread-safe.
/// </summary>
public static class Quantizer
{
    /// <summary>Whether <see cref="Quantize"/> and <see cref="Dequantize"/> support <paramref name="type"/>.</summary>
    public static bool Supports(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0 or GgmlType.Q4_0;

    /// <summary>
    /// Encodes <paramref name="source"/> as <paramref name="type"/> into <paramref name="destination"/>.
    /// The element count must be a multiple of the type's block size and <paramref name="destination"/>
    /// exactly <see cref="GgmlTypeInfo.ByteCount"/> bytes long.
    /// </summary>
    public static void Quantize(GgmlType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        CheckLengths(type, source.Length, destination.Length, nameof(destination));
        switch (type)
        {
            case GgmlType.F32: MemoryMarshal.AsBytes(source).CopyTo(destination); break;
            case GgmlType.F16: Fp16.Encode(source, destination); break;
            case GgmlType.Q8_0: Q8_0.Quantize(source, destination); break;
            default: Q4_0.Quantize(source, destination); break;
        }
    }

    /// <summary>
    /// Decodes <paramref name="source"/>, encoded as <paramref name="type"/>, into
    /// <paramref name="destination"/>, whose length is the element count; <paramref name="source"/> must
    /// be exactly <see cref="GgmlTypeInfo.ByteCount"/> bytes long.
    /// </summary>
    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        CheckLengths(type, destination.Length, source.Length, nameof(source));
        switch (type)
        {
            case GgmlType.F32: source.CopyTo(MemoryMarshal.AsBytes(destination)); break;
            case GgmlType.F16: Fp16.Decode(source, destination); break;
            case GgmlType.Q8_0: Q8_0.Dequantize(source, destination); break;
            default: Q4_0.Dequantize(source, destination); break;
        }
    }

    private static void CheckLengths(GgmlType type, int elements, int bytes, string bytesName)
    {
        if (!Supports(type))
        {
            throw new NotSupportedException($"{type} is not supported (F32, F16, Q8_0 and Q4_0 are)");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        var expected = GgmlTypeInfo.ByteCount(type, elements);
        if (expected < 0)
        {
            throw new ArgumentException($"{elements} elements are not a whole number of {type} blocks of {GgmlTypeInfo.BlockSize(type)}");
        }

        if (bytes != expected)
        {
            throw new ArgumentException($"{elements} elements of {type} take {expected} bytes, not {bytes}", bytesName);
        }
    }
}
