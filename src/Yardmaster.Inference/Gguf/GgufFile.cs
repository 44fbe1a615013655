using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Numerics;

namespace Yardmaster.Inference.Gguf;

/// <summary>
/// A GGUF file (versions 2 and 3) opened read-only and memory-mapped: the header, metadata and tensor
/// infos are parsed and validated at open; tensor data stays in the mapping and is never copied into
/// the managed heap. Thread-safe for reads; dispose only when no reader holds a tensor pointer.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    /// <summary>The magic number, "GGUF" read as a little-endian uint.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>Default alignment of the data section when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    private const int MaxDimensions = 4;

    private readonly MemoryMappedFile _mapping;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;
    private bool _disposed;

    private GgufFile(string path, MemoryMappedFile mapping, MemoryMappedViewAccessor view, byte* basePointer, long length)
    {
        Path = path;
        _mapping = mapping;
        _view = view;
        _base = basePointer;
        FileLength = length;
        var reader = new GgufHeaderReader(basePointer, length);
        (Version, Metadata, Tensors, Alignment, DataOffset) = Parse(ref reader, length);
        _tensorsByName = Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The file path as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>Size of the file in bytes.</summary>
    public long FileLength { get; }

    /// <summary>GGUF format version: 2 or 3.</summary>
    public uint Version { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>Tensor infos in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Alignment of the data section and of every tensor's offset.</summary>
    public int Alignment { get; }

    /// <summary>Absolute byte offset where the data section starts.</summary>
    public long DataOffset { get; }

    /// <summary>
    /// Opens and validates <paramref name="path"/>. Throws <see cref="GgufFormatException"/> naming the field
    /// and byte offset when the file is not a well-formed GGUF, and <see cref="IOException"/> when it cannot be read.
    /// </summary>
    public static GgufFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var length = new FileInfo(path).Length;
        if (length < 24)
        {
            ThrowIfNotMagic(path, length);
            throw new GgufFormatException("header", 0, $"file is {length} bytes, too short for a GGUF header (24 bytes)");
        }

        var mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            pointer += view.PointerOffset;
            return new GgufFile(path, mapping, view, pointer, length);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }

            view?.Dispose();
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks the OS to start reading the whole file into the page cache in the background (Linux
    /// <c>madvise(MADV_WILLNEED)</c>), so that a cold load reads sequentially instead of faulting page by
    /// page. Advisory: does nothing elsewhere or when refused.
    /// </summary>
    public void Prefetch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (OperatingSystem.IsLinux())
        {
            _ = NativeMethods.Madvise((nint)_base, (nuint)FileLength, NativeMethods.MadviseWillNeed);
        }
    }

    /// <summary>Finds a tensor by name.</summary>
    public bool TryGetTensor(string name, out GgufTensorInfo tensor) =>
        _tensorsByName.TryGetValue(name, out tensor!);

    /// <summary>
    /// Pointer to a tensor's data inside the mapping. Valid until this file is disposed. The caller must
    /// not write through it (the mapping is read-only and a write faults).
    /// </summary>
    public byte* TensorPointer(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _base + DataOffset + tensor.Offset;
    }

    /// <summary>A tensor's bytes as a span; throws when the tensor is larger than a span can address.</summary>
    public ReadOnlySpan<byte> TensorBytes(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.ByteLength > int.MaxValue
            ? throw new InvalidOperationException($"tensor {tensor.Name} is {tensor.ByteLength} bytes, too large for a span")
            : new ReadOnlySpan<byte>(TensorPointer(tensor), (int)tensor.ByteLength);
    }

    /// <summary>The metadata value for <paramref name="key"/>, or null.</summary>
    public GgufValue? Find(string key) => Metadata.TryGetValue(key, out var v) ? v : null;

    /// <summary>String metadata, or <paramref name="fallback"/> when absent; throws <see cref="GgufFormatException"/> when of another type.</summary>
    public string? GetString(string key, string? fallback = null)
    {
        var v = Find(key);
        if (v is null)
        {
            return fallback;
        }

        return v.Value as string ?? throw new GgufFormatException($"metadata[\"{key}\"]", 0, $"expected a string, found {v.Type}");
    }

    /// <summary>
    /// Integer metadata, or <paramref name="fallback"/> when absent; throws <see cref="GgufFormatException"/> when of
    /// another type or a UInt64 beyond <see cref="long.MaxValue"/>.
    /// </summary>
    public long GetInt64(string key, long fallback)
    {
        var v = Find(key);
        if (v is null)
        {
            return fallback;
        }

        if (v.Value is ulong u && u > long.MaxValue)
        {
            throw new GgufFormatException($"metadata[\"{key}\"]", 0, $"{u} does not fit in a signed 64-bit integer");
        }

        return v.IsInteger ? v.AsInt64() : throw new GgufFormatException($"metadata[\"{key}\"]", 0, $"expected an integer, found {v.Type}");
    }

    /// <summary>Float metadata, or <paramref name="fallback"/> when absent.</summary>
    public float GetSingle(string key, float fallback)
    {
        var v = Find(key);
        if (v is null)
        {
            return fallback;
        }

        return v.Type is GgufValueType.Float32 or GgufValueType.Float64 || v.IsInteger
            ? v.AsSingle()
            : throw new GgufFormatException($"metadata[\"{key}\"]", 0, $"expected a number, found {v.Type}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _mapping.Dispose();
    }

    private static void ThrowIfNotMagic(string path, long length)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n < 4 || BinaryPrimitives.ReadUInt32LittleEndian(head) != Magic)
        {
            throw new GgufFormatException("magic", 0, $"not a GGUF file ({length} bytes, does not start with \"GGUF\")");
        }
    }

    private static (uint, IReadOnlyDictionary<string, GgufValue>, IReadOnlyList<GgufTensorInfo>, int, long) Parse(
        ref GgufHeaderReader reader, long length)
    {
        var magic = reader.ReadUInt32("magic");
        if (magic != Magic)
        {
            throw new GgufFormatException("magic", 0, $"not a GGUF file (first bytes 0x{BinaryPrimitives.ReverseEndianness(magic):X8}, expected \"GGUF\")");
        }

        var version = reader.ReadUInt32("version");
        if (version is not (2 or 3))
        {
            var reason = BinaryPrimitives.ReverseEndianness(version) is 2 or 3
                ? "big-endian GGUF files are not supported"
                : $"version {version} is not supported (2 and 3 are)";
            throw new GgufFormatException("version", 4, reason);
        }

        // A tensor info takes at least 8 (name length) + 4 + 8 + 4 + 8 bytes; a key/value at least 8 + 4 + 1.
        var tensorCount = reader.ReadCount("tensor_count", 32);
        var kvCount = reader.ReadCount("metadata_kv_count", 13);

        var metadata = new Dictionary<string, GgufValue>((int)Math.Min(kvCount, 4096), StringComparer.Ordinal);
        long alignmentAt = 0;
        for (long i = 0; i < kvCount; i++)
        {
            var at = reader.Position;
            var key = reader.ReadString($"metadata[{i}].key");
            var field = $"metadata[\"{key}\"]";
            var type = reader.ReadValueType(field + ".type");
            alignmentAt = key == "general.alignment" ? reader.Position : alignmentAt;
            var value = reader.ReadValue(type, field);
            if (!metadata.TryAdd(key, value))
            {
                throw new GgufFormatException(field, at, "duplicate key");
            }
        }

        var alignment = DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out var alignValue))
        {
            if (alignValue.Value is not uint a || a == 0 || a > 1 << 20 || !BitOperations.IsPow2(a))
            {
                throw new GgufFormatException("metadata[\"general.alignment\"]", alignmentAt, $"must be a uint32 power of two, found {alignValue.Type} {alignValue}");
            }

            alignment = (int)a;
        }

        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 65536));
        var offsetFields = new List<long>(tensors.Capacity);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            tensors.Add(ReadTensorInfo(ref reader, i, alignment, names));
            offsetFields.Add(reader.Position - 8); // the offset is the last field of a tensor info
        }

        var dataOffset = AlignUp(reader.Position, alignment);
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Offset > length - dataOffset || t.ByteLength > length - dataOffset - t.Offset)
            {
                throw new GgufFormatException($"tensor \"{t.Name}\".offset", offsetFields[i], string.Create(CultureInfo.InvariantCulture,
                    $"data [{dataOffset + t.Offset}, {dataOffset + t.Offset + t.ByteLength}) lies beyond the end of the file ({length} bytes)"));
            }
        }

        return (version, metadata, tensors, alignment, dataOffset);
    }

    private static GgufTensorInfo ReadTensorInfo(ref GgufHeaderReader reader, long index, int alignment, HashSet<string> names)
    {
        var at = reader.Position;
        var name = reader.ReadString($"tensor[{index}].name");
        var field = $"tensor \"{name}\"";
        if (!names.Add(name))
        {
            throw new GgufFormatException(field, at, "duplicate tensor name");
        }

        var dimsAt = reader.Position;
        var nDims = reader.ReadUInt32(field + ".n_dims");
        if (nDims is 0 or > MaxDimensions)
        {
            throw new GgufFormatException(field + ".n_dims", dimsAt, $"{nDims} dimensions (1..{MaxDimensions} allowed)");
        }

        var dims = new long[nDims];
        long elements = 1;
        for (var d = 0; d < nDims; d++)
        {
            var dimAt = reader.Position;
            var size = reader.ReadUInt64($"{field}.dims[{d}]");
            if (size == 0 || size > (1UL << 40) || (ulong)elements > (1UL << 50) / size)
            {
                throw new GgufFormatException($"{field}.dims[{d}]", dimAt, $"absurd dimension {size}");
            }

            dims[d] = (long)size;
            elements *= (long)size;
        }

        var typeAt = reader.Position;
        var rawType = reader.ReadUInt32(field + ".type");
        var type = (GgmlType)rawType;
        if (!GgmlTypeInfo.IsKnown(type))
        {
            throw new GgufFormatException(field + ".type", typeAt, $"unknown tensor type {rawType}");
        }

        if (dims[0] % GgmlTypeInfo.BlockSize(type) != 0)
        {
            throw new GgufFormatException($"{field}.dims[0]", dimsAt + 4, $"row of {dims[0]} is not a multiple of the {type} block size {GgmlTypeInfo.BlockSize(type)}");
        }

        var offsetAt = reader.Position;
        var offset = reader.ReadUInt64(field + ".offset");
        if (offset % (ulong)alignment != 0 || offset > long.MaxValue / 2)
        {
            throw new GgufFormatException(field + ".offset", offsetAt, $"offset {offset} is not a multiple of the alignment {alignment}");
        }

        return new GgufTensorInfo(name, dims, type, (long)offset, GgmlTypeInfo.ByteCount(type, elements));
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
