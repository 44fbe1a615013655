using System.Buffers.Binary;
using System.Text;

namespace Yardmaster.Inference.Gguf;

/// <summary>
/// Bounds-checked little-endian reader over the mapped bytes of a GGUF file. Every read names the field
/// it is reading so that a failure says what was wrong and where. Allocation is bounded by the bytes
/// that remain: a count is refused before anything is allocated for it when the file cannot hold it.
/// </summary>
internal unsafe struct GgufHeaderReader
{
    /// <summary>Longest string accepted (keys, values, tensor names): 64 MiB.</summary>
    public const long MaxStringBytes = 64L << 20;

    /// <summary>Deepest nesting of arrays accepted.</summary>
    public const int MaxArrayDepth = 8;

    private static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly byte* _base;
    private readonly long _length;

    public GgufHeaderReader(byte* basePointer, long length)
    {
        _base = basePointer;
        _length = length;
    }

    public long Position { get; set; }

    public readonly long Remaining => _length - Position;

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));

    /// <summary>Reads a count and checks that at least <paramref name="minBytesEach"/> bytes per item remain.</summary>
    public long ReadCount(string field, long minBytesEach)
    {
        var at = Position;
        var count = ReadUInt64(field);
        if (count > (ulong)(Remaining / Math.Max(1, minBytesEach)))
        {
            throw new GgufFormatException(field, at, $"count {count} cannot fit in the {Remaining} bytes that remain");
        }

        return (long)count;
    }

    public string ReadString(string field)
    {
        var at = Position;
        var length = ReadUInt64(field + ".length");
        if (length > MaxStringBytes || length > (ulong)Remaining)
        {
            throw new GgufFormatException(field, at, $"string length {length} exceeds the {Math.Min(Remaining, MaxStringBytes)} bytes available");
        }

        return _utf8.GetString(Take((int)length, field));
    }

    public GgufValue ReadValue(GgufValueType type, string field, int depth = 0) => type switch
    {
        GgufValueType.UInt8 => new(type, Take(1, field)[0]),
        GgufValueType.Int8 => new(type, (sbyte)Take(1, field)[0]),
        GgufValueType.UInt16 => new(type, BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field))),
        GgufValueType.Int16 => new(type, BinaryPrimitives.ReadInt16LittleEndian(Take(2, field))),
        GgufValueType.UInt32 => new(type, ReadUInt32(field)),
        GgufValueType.Int32 => new(type, BinaryPrimitives.ReadInt32LittleEndian(Take(4, field))),
        GgufValueType.Float32 => new(type, BinaryPrimitives.ReadSingleLittleEndian(Take(4, field))),
        GgufValueType.Bool => new(type, ReadBool(field)),
        GgufValueType.String => new(type, ReadString(field)),
        GgufValueType.Array => new(type, ReadArray(field, depth)),
        GgufValueType.UInt64 => new(type, ReadUInt64(field)),
        GgufValueType.Int64 => new(type, BinaryPrimitives.ReadInt64LittleEndian(Take(8, field))),
        GgufValueType.Float64 => new(type, BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field))),
        _ => throw new GgufFormatException(field, Position - 4, $"unknown value type {(uint)type}"),
    };

    public GgufValueType ReadValueType(string field)
    {
        var at = Position;
        var raw = ReadUInt32(field);
        return raw <= (uint)GgufValueType.Float64
            ? (GgufValueType)raw
            : throw new GgufFormatException(field, at, $"unknown value type {raw} (known: 0..12)");
    }

    private bool ReadBool(string field)
    {
        var at = Position;
        var b = Take(1, field)[0];
        return b <= 1 ? b == 1 : throw new GgufFormatException(field, at, $"bool must be 0 or 1, found {b}");
    }

    private GgufArray ReadArray(string field, int depth)
    {
        var at = Position;
        if (depth >= MaxArrayDepth)
        {
            throw new GgufFormatException(field, at, $"arrays nested deeper than {MaxArrayDepth}");
        }

        var elementType = ReadValueType(field + ".type");
        var count = ReadCount(field + ".count", MinBytes(elementType));
        var n = (int)Math.Min(count, int.MaxValue);
        if (n != count)
        {
            throw new GgufFormatException(field + ".count", at + 4, $"count {count} is too large");
        }

        switch (elementType)
        {
            case GgufValueType.UInt8: return new(elementType, Take(n, field).ToArray());
            case GgufValueType.Int8: return new(elementType, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(Take(n, field)).ToArray());
            case GgufValueType.Float32: return new(elementType, ReadPrimitives<float>(n, field));
            case GgufValueType.Int32: return new(elementType, ReadPrimitives<int>(n, field));
            case GgufValueType.UInt32: return new(elementType, ReadPrimitives<uint>(n, field));
            case GgufValueType.Int16: return new(elementType, ReadPrimitives<short>(n, field));
            case GgufValueType.UInt16: return new(elementType, ReadPrimitives<ushort>(n, field));
            case GgufValueType.Int64: return new(elementType, ReadPrimitives<long>(n, field));
            case GgufValueType.UInt64: return new(elementType, ReadPrimitives<ulong>(n, field));
            case GgufValueType.Float64: return new(elementType, ReadPrimitives<double>(n, field));
            case GgufValueType.String:
            {
                var items = new string[n];
                for (var i = 0; i < n; i++)
                {
                    items[i] = ReadString(field);
                }

                return new(elementType, items);
            }

            case GgufValueType.Bool:
            {
                var items = new bool[n];
                for (var i = 0; i < n; i++)
                {
                    items[i] = ReadBool(field);
                }

                return new(elementType, items);
            }

            default:
            {
                var items = new GgufArray[n];
                for (var i = 0; i < n; i++)
                {
                    items[i] = ReadArray(field, depth + 1);
                }

                return new(elementType, items);
            }
        }
    }

    private T[] ReadPrimitives<T>(int n, string field)
        where T : unmanaged
    {
        var bytes = Take(checked(n * sizeof(T)), field);
        var result = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        return result;
    }

    private static long MinBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => 8,
    };

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw new GgufFormatException(field, Position, $"needs {count} bytes but the file ends after {Math.Max(0, Remaining)}");
        }

        var span = new ReadOnlySpan<byte>(_base + Position, count);
        Position += count;
        return span;
    }
}
