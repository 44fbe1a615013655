using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tests;

/// <summary>
/// The metadata and tensors of a GGUF file held in memory, to be changed by a test and written again
/// with <see cref="GgufWriter"/>: a well-formed file that says something else (another architecture,
/// a tensor missing, misshapen or of another type).
/// </summary>
public sealed class GgufCopy
{
    private GgufCopy(int alignment, List<KeyValuePair<string, GgufValue>> metadata, List<GgufCopyTensor> tensors)
    {
        Alignment = alignment;
        Metadata = metadata;
        Tensors = tensors;
    }

    public int Alignment { get; set; }

    /// <summary>Metadata in file order, without <c>general.alignment</c> (written from <see cref="Alignment"/>).</summary>
    public List<KeyValuePair<string, GgufValue>> Metadata { get; }

    public List<GgufCopyTensor> Tensors { get; }

    public static GgufCopy Of(string path)
    {
        using var file = GgufFile.Open(path);
        return new(
            file.Alignment,
            file.Metadata.Where(kv => kv.Key != "general.alignment").ToList(),
            file.Tensors.Select(t => new GgufCopyTensor(t.Name, [.. t.Dimensions], t.Type, file.TensorBytes(t).ToArray())).ToList());
    }

    /// <summary>An independent copy of the lists (the values and bytes are immutable and shared).</summary>
    public GgufCopy Clone() => new(Alignment, [.. Metadata], [.. Tensors]);

    /// <summary>Replaces the value of <paramref name="key"/> in place, or adds it at the end.</summary>
    public GgufCopy Set(string key, GgufValue value)
    {
        var i = Metadata.FindIndex(kv => kv.Key == key);
        if (i >= 0)
        {
            Metadata[i] = new(key, value);
        }
        else
        {
            Metadata.Add(new(key, value));
        }

        return this;
    }

    /// <summary>The tensor named <paramref name="name"/>; throws when there is none.</summary>
    public GgufCopyTensor Tensor(string name) => Tensors.Single(t => t.Name == name);

    /// <summary>Replaces the tensor of the same name.</summary>
    public GgufCopy Replace(GgufCopyTensor tensor)
    {
        Tensors[Tensors.FindIndex(t => t.Name == tensor.Name)] = tensor;
        return this;
    }

    public GgufCopy Remove(string tensorName)
    {
        Tensors.RemoveAll(t => t.Name == tensorName);
        return this;
    }

    public async Task<byte[]> ToBytesAsync()
    {
        using var stream = new MemoryStream();
        await Writer().WriteAsync(stream, CancellationToken.None);
        return stream.ToArray();
    }

    public Task WriteFileAsync(string path) => Writer().WriteFileAsync(path, CancellationToken.None);

    private GgufWriter Writer()
    {
        var writer = new GgufWriter(Alignment);
        foreach (var (key, value) in Metadata)
        {
            writer.AddMetadata(key, value);
        }

        foreach (var t in Tensors)
        {
            writer.AddTensor(t.Name, t.Dimensions, t.Type, t.Data);
        }

        return writer;
    }
}
