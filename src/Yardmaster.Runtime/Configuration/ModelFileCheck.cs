using System.Buffers.Binary;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>
/// Checks, before anything starts, the file a model's <c>path</c> names: a builtin model's must be a
/// readable GGUF file; a process model's must exist, and must be a GGUF file unless <c>memory</c> is
/// declared (its footprint is otherwise estimated from the file's header; with <c>memory</c> the path may be
/// anything the command takes, such as a directory). Reads the fixed 24-byte GGUF header only (magic,
/// version, tensor and metadata counts); the full parse happens when the model loads. Thread-safe.
/// </summary>
public static class ModelFileCheck
{
    private const int HeaderBytes = 24; // magic, version (u32), tensor count (u64), metadata count (u64)

    /// <summary>The smallest tensor description (name length, one dimension, type, offset) and metadata entry (key length, type, one byte).</summary>
    private const int MinTensorBytes = 8 + 4 + 8 + 4 + 8;

    private const int MinMetadataBytes = 8 + 4 + 1;

    /// <summary>Null when the model's file is fine (or it has none to check), else why not: a message for its <c>path</c> field.</summary>
    public static string? Check(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrWhiteSpace(model.Path) || model.Backend is not (BackendKind.Builtin or BackendKind.Process))
        {
            return null; // a missing required path is DefinitionValidator's error
        }

        var path = model.Path;
        var mustBeGguf = model.Backend == BackendKind.Builtin || model.Memory is null;
        if (Directory.Exists(path))
        {
            return !mustBeGguf ? null
                : model.Backend == BackendKind.Builtin ? $"{path} is a directory; a builtin model needs a GGUF file"
                : $"{path} is a directory; declare memory (the footprint per replica), which is otherwise estimated from a GGUF file's header";
        }

        if (!File.Exists(path))
        {
            return $"{path} does not exist";
        }

        return mustBeGguf ? CheckHeader(path, model.Backend == BackendKind.Process) : null;
    }

    private static string? CheckHeader(string path, bool process)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        long length;
        int read;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            length = file.Length;
            read = file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{path} cannot be read: {e.Message}";
        }

        var hint = process ? "; or declare memory if the command takes another format" : string.Empty;
        if (read < 4 || !header[..4].SequenceEqual("GGUF"u8))
        {
            return $"{path} is not a GGUF file (it does not start with 'GGUF'){hint}";
        }

        if (read < HeaderBytes)
        {
            return $"{path} is cut short: {length} bytes, less than a GGUF header";
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version is not (2 or 3))
        {
            return $"{path}: GGUF version {version} is not supported (2 or 3){hint}";
        }

        var tensors = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        var metadata = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        var room = (ulong)(length - HeaderBytes);
        if (tensors > room / MinTensorBytes || metadata > room / MinMetadataBytes || (tensors * MinTensorBytes) + (metadata * MinMetadataBytes) > room)
        {
            return $"{path}: the GGUF header is corrupt ({tensors} tensors and {metadata} metadata entries cannot fit in {length} bytes)";
        }

        return null;
    }
}
