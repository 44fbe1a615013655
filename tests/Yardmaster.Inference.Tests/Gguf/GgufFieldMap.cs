using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>
/// Every header field of a well-formed GGUF file with its byte offset, found by an independent, trusting
/// parser (the file is one of the valid test models), so mutations can aim at counts, lengths and types.
/// </summary>
public sealed class GgufFieldMap
{
    private readonly byte[] _bytes;
    private readonly List<GgufField> _fields = [];
    private long _at;

    private GgufFieldMap(byte[] bytes)
    {
        _bytes = bytes;
        Read(GgufFieldKind.Magic, "magic", 4);
        Read(GgufFieldKind.Version, "version", 4);
        var tensors = (long)Read(GgufFieldKind.TensorCount, "tensor_count", 8);
        var kvs = (long)Read(GgufFieldKind.MetadataCount, "metadata_kv_count", 8);
        for (var i = 0; i < kvs; i++)
        {
            var key = ReadString(GgufFieldKind.KeyLength, $"metadata[{i}].key");
            var type = (uint)Read(GgufFieldKind.ValueType, $"metadata[\"{key}\"].type", 4);
            ReadValue(type, $"metadata[\"{key}\"]", key == "general.alignment");
        }

        for (var i = 0; i < tensors; i++)
        {
            var name = ReadString(GgufFieldKind.NameLength, $"tensor[{i}].name");
            var dims = (uint)Read(GgufFieldKind.DimensionCount, $"tensor \"{name}\".n_dims", 4);
            for (var d = 0; d < dims; d++)
            {
                Read(GgufFieldKind.Dimension, $"tensor \"{name}\".dims[{d}]", 8);
            }

            Read(GgufFieldKind.TensorType, $"tensor \"{name}\".type", 4);
            Read(GgufFieldKind.TensorOffset, $"tensor \"{name}\".offset", 8);
        }

        HeaderLength = _at;
    }

    /// <summary>Bytes from the start of the file to the end of the last tensor info (before padding).</summary>
    public long HeaderLength { get; }

    public IReadOnlyList<GgufField> Fields => _fields;

    public static GgufFieldMap Of(byte[] bytes) => new(bytes);

    /// <summary>Fields of <paramref name="kind"/>.</summary>
    public IReadOnlyList<GgufField> OfKind(GgufFieldKind kind) => _fields.Where(f => f.Kind == kind).ToList();

    private ulong Read(GgufFieldKind kind, string name, int size)
    {
        _fields.Add(new GgufField(name, kind, _at, size));
        var span = _bytes.AsSpan((int)_at, size);
        _at += size;
        return size switch
        {
            1 => span[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(span),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(span),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(span),
        };
    }

    private string ReadString(GgufFieldKind kind, string name)
    {
        var length = (int)Read(kind, name + ".length", 8);
        var text = Encoding.UTF8.GetString(_bytes, (int)_at, length);
        _at += length;
        return text;
    }

    private void ReadValue(uint type, string name, bool isAlignment)
    {
        switch (type)
        {
            case 8:
                ReadString(GgufFieldKind.StringLength, name);
                break;
            case 9:
                var elementType = (uint)Read(GgufFieldKind.ArrayType, name + ".array_type", 4);
                var count = (long)Read(GgufFieldKind.ArrayCount, name + ".count", 8);
                for (long i = 0; i < count; i++)
                {
                    // Arrays of scalars are long (32,000 scores) and their elements are no structure: skip them.
                    if (elementType is 8 or 9)
                    {
                        ReadValue(elementType, string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]"), false);
                    }
                    else
                    {
                        _at += ScalarSize(elementType);
                    }
                }

                break;
            default:
                Read(isAlignment ? GgufFieldKind.Alignment : GgufFieldKind.Scalar, name, ScalarSize(type));
                break;
        }
    }

    private static int ScalarSize(uint type) => type switch
    {
        0 or 1 or 7 => 1,
        2 or 3 => 2,
        4 or 5 or 6 => 4,
        _ => 8,
    };
}
