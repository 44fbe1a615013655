using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Yardmaster.Inference.Gguf;

/// <summary>
/// Encodes GGUF header fields (strings, metadata values, typed and nested arrays) in the
/// little-endian layout of the GGUF specification, into a growing in-memory buffer.
/// </summary>
internal sealed class GgufMetadataEncoder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 12);

    /// <summary>Bytes written so far.</summary>
    public long Length => _buffer.WrittenCount;

    /// <summary>The encoded bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _buffer.WrittenMemory;

    /// <summary>Appends raw bytes.</summary>
    public void Write(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void WriteByte(byte value) => _buffer.Write([value]);

    public void WriteUInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _buffer.Write(b);
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _buffer.Write(b);
    }

    /// <summary>A GGUF string: u64 byte length, then UTF-8 bytes without a terminator.</summary>
    public void WriteString(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt64((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>A metadata value's type tag followed by its payload.</summary>
    public void WriteTypedValue(GgufValue value)
    {
        WriteUInt32((uint)value.Type);
        WriteValue(value.Type, value.Value);
    }

    private void WriteValue(GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: WriteByte((byte)value); break;
            case GgufValueType.Int8: WriteByte(unchecked((byte)(sbyte)value)); break;
            case GgufValueType.UInt16: WritePrimitive((ushort)value); break;
            case GgufValueType.Int16: WritePrimitive((short)value); break;
            case GgufValueType.UInt32: WritePrimitive((uint)value); break;
            case GgufValueType.Int32: WritePrimitive((int)value); break;
            case GgufValueType.Float32: WritePrimitive((float)value); break;
            case GgufValueType.Bool: WriteByte((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString((string)value); break;
            case GgufValueType.Array: WriteArray((GgufArray)value); break;
            case GgufValueType.UInt64: WritePrimitive((ulong)value); break;
            case GgufValueType.Int64: WritePrimitive((long)value); break;
            case GgufValueType.Float64: WritePrimitive((double)value); break;
            default: throw new ArgumentException($"unknown GGUF value type {(uint)type}", nameof(type));
        }
    }

    private void WriteArray(GgufArray array)
    {
        WriteUInt32((uint)array.ElementType);
        WriteUInt64((ulong)array.Count);
        switch (array.ElementType)
        {
            case GgufValueType.UInt8: _buffer.Write(array.As<byte>()); break;
            case GgufValueType.Int8: WritePrimitives(array.As<sbyte>()); break;
            case GgufValueType.UInt16: WritePrimitives(array.As<ushort>()); break;
            case GgufValueType.Int16: WritePrimitives(array.As<short>()); break;
            case GgufValueType.UInt32: WritePrimitives(array.As<uint>()); break;
            case GgufValueType.Int32: WritePrimitives(array.As<int>()); break;
            case GgufValueType.Float32: WritePrimitives(array.As<float>()); break;
            case GgufValueType.UInt64: WritePrimitives(array.As<ulong>()); break;
            case GgufValueType.Int64: WritePrimitives(array.As<long>()); break;
            case GgufValueType.Float64: WritePrimitives(array.As<double>()); break;
            case GgufValueType.Bool:
                foreach (var b in array.As<bool>())
                {
                    WriteByte(b ? (byte)1 : (byte)0);
                }

                break;
            case GgufValueType.String:
                foreach (var s in array.As<string>())
                {
                    WriteString(s ?? throw new ArgumentException("string arrays cannot hold null", nameof(array)));
                }

                break;
            case GgufValueType.Array:
                foreach (var nested in array.As<GgufArray>())
                {
                    WriteArray(nested ?? throw new ArgumentException("nested arrays cannot hold null", nameof(array)));
                }

                break;
            default: throw new ArgumentException($"unknown GGUF array element type {(uint)array.ElementType}", nameof(array));
        }
    }

    private void WritePrimitive<T>(T value)
        where T : unmanaged => WritePrimitives(new ReadOnlySpan<T>(in value));

    private void WritePrimitives<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        // GGUF is little-endian; so is every host .NET runs this project on (checked by the reader too).
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        _buffer.Write(MemoryMarshal.AsBytes(values));
    }
}
