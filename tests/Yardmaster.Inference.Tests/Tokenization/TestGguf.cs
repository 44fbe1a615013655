using System.Text;

namespace Yardmaster.Inference.Tests.Tokenization;

/// <summary>
/// Writes a GGUF v3 file with metadata and no tensors, for tokenizer tests. Test-only and deliberately
/// tiny: scalars (string, bool, int32, uint32, float32) and arrays of string, int32 and float32.
/// </summary>
public sealed class TestGguf
{
    private readonly List<(string Key, object Value)> _entries = [];

    public TestGguf Add(string key, object value)
    {
        _entries.Add((key, value));
        return this;
    }

    /// <summary>Writes the file to a new temporary path and returns it; the caller deletes it.</summary>
    public string WriteTempFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"yardmaster-tok-{Guid.NewGuid():N}.gguf");
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(0x46554747u); // "GGUF"
        writer.Write(3u);
        writer.Write(0UL);
        writer.Write((ulong)_entries.Count);
        foreach (var (key, value) in _entries)
        {
            WriteString(writer, key);
            WriteValue(writer, value);
        }

        return path;
    }

    private static void WriteValue(BinaryWriter writer, object value)
    {
        switch (value)
        {
            case string s:
                writer.Write(8u);
                WriteString(writer, s);
                break;
            case bool b:
                writer.Write(7u);
                writer.Write(b);
                break;
            case int i:
                writer.Write(5u);
                writer.Write(i);
                break;
            case uint u:
                writer.Write(4u);
                writer.Write(u);
                break;
            case float f:
                writer.Write(6u);
                writer.Write(f);
                break;
            case string[] strings:
                WriteArrayHeader(writer, 8u, strings.Length);
                Array.ForEach(strings, s => WriteString(writer, s));
                break;
            case int[] ints:
                WriteArrayHeader(writer, 5u, ints.Length);
                Array.ForEach(ints, writer.Write);
                break;
            case float[] floats:
                WriteArrayHeader(writer, 6u, floats.Length);
                Array.ForEach(floats, writer.Write);
                break;
            default:
                throw new ArgumentException($"no GGUF encoding for {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteArrayHeader(BinaryWriter writer, uint elementType, int count)
    {
        writer.Write(9u);
        writer.Write(elementType);
        writer.Write((ulong)count);
    }

    private static void WriteString(BinaryWriter writer, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }
}
