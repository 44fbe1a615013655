namespace Yardmaster.Inference.Gguf;

/// <summary>
/// A typed metadata array. <see cref="Items"/> is a typed .NET array: <c>float[]</c> for Float32,
/// <c>int[]</c> for Int32, <c>string[]</c> for String, <c>GgufArray[]</c> for nested arrays, and so on.
/// </summary>
public sealed class GgufArray
{
    /// <summary>Creates an array of <paramref name="elementType"/> over <paramref name="items"/>.</summary>
    public GgufArray(GgufValueType elementType, Array items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ElementType = elementType;
        Items = items;
    }

    /// <summary>Type of each element.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>The elements as a typed array.</summary>
    public Array Items { get; }

    /// <summary>Number of elements.</summary>
    public int Count => Items.Length;

    /// <summary>The elements as <typeparamref name="T"/>[]; throws when the stored array is of another type.</summary>
    public T[] As<T>() => Items as T[]
        ?? throw new InvalidCastException($"array of {ElementType} is not {typeof(T).Name}[]");
}
