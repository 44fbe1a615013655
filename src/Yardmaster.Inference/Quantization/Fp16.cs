using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Yardmaster.Inference.Quantization;

/// <summary>
/// IEEE 754 half-precision rows as ggml stores them: little-endian, converted from float with
/// round-to-nearest-even (as ggml's <c>GGML_FP32_TO_FP16</c>), subnormals and infinities preserved.
/// </summary>
internal static class Fp16
{
    /// <summary>The half nearest to <paramref name="value"/>, as its 16 bits.</summary>
    public static ushort FromSingle(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>The float a half's 16 bits stand for (exact).</summary>
    public static float ToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>Reads the little-endian half at the start of <paramref name="source"/>.</summary>
    public static float Read(ReadOnlySpan<byte> source) => (float)BinaryPrimitives.ReadHalfLittleEndian(source);

    /// <summary>Writes <paramref name="value"/> as a little-endian half at the start of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, float value) =>
        BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)value);

    /// <summary>Encodes <paramref name="source"/> into 2 bytes per element.</summary>
    public static void Encode(ReadOnlySpan<float> source, Span<byte> destination)
    {
        EnsureLittleEndian();
        var halves = MemoryMarshal.Cast<byte, Half>(destination[..(source.Length * 2)]);
        for (var i = 0; i < source.Length; i++)
        {
            halves[i] = (Half)source[i];
        }
    }

    /// <summary>Decodes 2 bytes per element into <paramref name="destination"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<float> destination)
    {
        EnsureLittleEndian();
        var halves = MemoryMarshal.Cast<byte, Half>(source[..(destination.Length * 2)]);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)halves[i];
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }
    }
}
