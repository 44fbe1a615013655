using System.Numerics;
using System.Text;

namespace Yardmaster.Inference.Gguf;

/// <summary>
/// Writes a GGUF version 3 file as the specification lays it out: header, metadata, tensor infos,
/// zero padding to the alignment, then each tensor's data at an aligned offset, zero-padded after it.
/// Metadata and tensor infos are kept in memory; tensor data is streamed from a callback per tensor
/// at write time, so a model of any size passes through in chunks. Not thread-safe.
/// </summary>
public sealed class GgufWriter
{
    /// <summary>The GGUF version this writer produces.</summary>
    public const uint Version = 3;

    /// <summary>Longest tensor name in UTF-8 bytes: ggml keeps names in 64 bytes including the terminator.</summary>
    public const int MaxTensorNameBytes = 63;

    private const string AlignmentKey = "general.alignment";

    private readonly GgufMetadataEncoder _metadata = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<GgufPendingTensor> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private long _dataLength;

    /// <summary>
    /// Creates a writer. <paramref name="alignment"/> (default 32, a power of two) aligns the data
    /// section and every tensor offset; <c>general.alignment</c> is written only when it is not 32.
    /// </summary>
    public GgufWriter(int alignment = GgufFile.DefaultAlignment)
    {
        if (alignment <= 0 || !BitOperations.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "must be a positive power of two");
        }

        Alignment = alignment;
    }

    /// <summary>Alignment of the data section and of each tensor's offset, in bytes.</summary>
    public int Alignment { get; }

    /// <summary>Tensor infos added so far, with their offsets relative to the data section.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors => _tensors.ConvertAll(t => t.Info);

    /// <summary>
    /// Adds a metadata key/value pair; pairs are written in the order added. Throws
    /// <see cref="ArgumentException"/> for a duplicate or empty key, for <c>general.alignment</c> (set by
    /// the constructor) and for an array whose items do not match its element type.
    /// </summary>
    public void AddMetadata(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == AlignmentKey)
        {
            throw new ArgumentException($"{AlignmentKey} is written from the constructor's alignment", nameof(key));
        }

        if (!_keys.Add(key))
        {
            throw new ArgumentException($"duplicate metadata key \"{key}\"", nameof(key));
        }

        try
        {
            _metadata.WriteString(key);
            _metadata.WriteTypedValue(value);
        }
        catch (InvalidCastException e)
        {
            throw new ArgumentException($"metadata \"{key}\": {e.Message}", nameof(value), e);
        }
    }

    /// <summary>
    /// Adds a tensor whose data <paramref name="writeData"/> streams into the file when
    /// <see cref="WriteAsync(Stream, CancellationToken)"/> runs; it must write exactly the tensor's byte
    /// length. <paramref name="dimensions"/> are in ggml order (innermost first, 1 to 4 of them) and the
    /// first must be a multiple of the type's block size. Returns the tensor's info.
    /// </summary>
    public GgufTensorInfo AddTensor(
        string name, IReadOnlyList<long> dimensions, GgmlType type, Func<Stream, CancellationToken, ValueTask> writeData)
    {
        ArgumentNullException.ThrowIfNull(writeData);
        var info = Describe(name, dimensions, type);
        _tensors.Add(new GgufPendingTensor(info, writeData));
        _names.Add(name);
        _dataLength = AlignUp(info.Offset + info.ByteLength);
        return info;
    }

    /// <summary>Adds a tensor whose bytes are already in memory; see the streaming overload for the rules.</summary>
    public GgufTensorInfo AddTensor(string name, IReadOnlyList<long> dimensions, GgmlType type, ReadOnlyMemory<byte> data)
    {
        var info = Describe(name, dimensions, type);
        if (data.Length != info.ByteLength)
        {
            throw new ArgumentException($"tensor {name}: {data.Length} bytes given, its shape and type take {info.ByteLength}", nameof(data));
        }

        return AddTensor(name, dimensions, type, (stream, ct) => stream.WriteAsync(data, ct));
    }

    /// <summary>Total length of the file that <see cref="WriteAsync(Stream, CancellationToken)"/> produces, in bytes.</summary>
    public long ComputeLength() => AlignUp(BuildHeader().Length) + _dataLength;

    /// <summary>
    /// Writes the whole file to <paramref name="destination"/> from its current position, calling each
    /// tensor's data callback in the order the tensors were added. Throws
    /// <see cref="InvalidOperationException"/> when a callback writes a wrong number of bytes.
    /// </summary>
    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var header = BuildHeader();
        await destination.WriteAsync(header.Bytes, cancellationToken).ConfigureAwait(false);
        await WritePaddingAsync(destination, header.Length, cancellationToken).ConfigureAwait(false);

        long position = 0;
        foreach (var tensor in _tensors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var data = new GgufTensorDataStream(destination, tensor.Info.Name, tensor.Info.ByteLength);
            await tensor.WriteData(data, cancellationToken).ConfigureAwait(false);
            if (data.Written != data.ExpectedLength)
            {
                throw new InvalidOperationException(
                    $"tensor {tensor.Info.Name}: the data callback wrote {data.Written} bytes, its shape and type take {data.ExpectedLength}");
            }

            position = tensor.Info.Offset + tensor.Info.ByteLength;
            await WritePaddingAsync(destination, position, cancellationToken).ConfigureAwait(false);
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the file to <paramref name="path"/> atomically: into <c>path.tmp</c> first, renamed over
    /// <paramref name="path"/> only when complete; the temporary file is deleted on failure.
    /// </summary>
    public async Task WriteFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = path + ".tmp";
        try
        {
            var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            await using (stream.ConfigureAwait(false))
            {
                await WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            throw;
        }
    }

    private GgufTensorInfo Describe(string name, IReadOnlyList<long> dimensions, GgmlType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (Encoding.UTF8.GetByteCount(name) > MaxTensorNameBytes)
        {
            throw new ArgumentException($"tensor name \"{name}\" is longer than {MaxTensorNameBytes} bytes", nameof(name));
        }

        if (_names.Contains(name))
        {
            throw new ArgumentException($"duplicate tensor name \"{name}\"", nameof(name));
        }

        if (dimensions.Count is 0 or > 4 || dimensions.Any(d => d <= 0))
        {
            throw new ArgumentException($"tensor {name}: needs 1 to 4 positive dimensions, got [{string.Join(", ", dimensions)}]", nameof(dimensions));
        }

        if (!GgmlTypeInfo.IsKnown(type))
        {
            throw new ArgumentException($"tensor {name}: unknown type {type}", nameof(type));
        }

        var block = GgmlTypeInfo.BlockSize(type);
        if (dimensions[0] % block != 0)
        {
            throw new ArgumentException($"tensor {name}: row of {dimensions[0]} is not a multiple of the {type} block size {block}", nameof(dimensions));
        }

        var elements = dimensions.Aggregate(1L, (n, d) => checked(n * d));
        return new GgufTensorInfo(name, dimensions.ToArray(), type, _dataLength, GgmlTypeInfo.ByteCount(type, elements));
    }

    private GgufMetadataEncoder BuildHeader()
    {
        var header = new GgufMetadataEncoder();
        header.WriteUInt32(GgufFile.Magic);
        header.WriteUInt32(Version);
        header.WriteUInt64((ulong)_tensors.Count);
        var writeAlignment = Alignment != GgufFile.DefaultAlignment;
        header.WriteUInt64((ulong)(_keys.Count + (writeAlignment ? 1 : 0)));
        if (writeAlignment)
        {
            header.WriteString(AlignmentKey);
            header.WriteTypedValue(GgufValue.From((uint)Alignment));
        }

        header.Write(_metadata.Bytes.Span);
        foreach (var tensor in _tensors)
        {
            var info = tensor.Info;
            header.WriteString(info.Name);
            header.WriteUInt32((uint)info.Dimensions.Count);
            foreach (var d in info.Dimensions)
            {
                header.WriteUInt64((ulong)d);
            }

            header.WriteUInt32((uint)info.Type);
            header.WriteUInt64((ulong)info.Offset);
        }

        return header;
    }

    private async ValueTask WritePaddingAsync(Stream destination, long position, CancellationToken cancellationToken)
    {
        var padding = (int)(AlignUp(position) - position);
        if (padding > 0)
        {
            await destination.WriteAsync(new byte[padding], cancellationToken).ConfigureAwait(false);
        }
    }

    private long AlignUp(long value) => (value + Alignment - 1) / Alignment * Alignment;
}
