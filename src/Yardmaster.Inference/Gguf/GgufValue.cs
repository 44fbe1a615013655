using System.Globalization;

namespace Yardmaster.Inference.Gguf;

/// <summary>
/// One metadata value. Scalars hold the matching .NET type (<see cref="byte"/>, <see cref="int"/>,
/// <see cref="float"/>, <see cref="string"/>, ...); arrays hold a <see cref="GgufArray"/>. Immutable.
/// </summary>
public sealed class GgufValue
{
    internal GgufValue(GgufValueType type, object value)
    {
        Type = type;
        Value = value;
    }

    /// <summary>The stored type tag.</summary>
    public GgufValueType Type { get; }

    /// <summary>The value: a boxed scalar, a <see cref="string"/> or a <see cref="GgufArray"/>.</summary>
    public object Value { get; }

    /// <summary>Creates a value from a .NET scalar, string or <see cref="GgufArray"/>, choosing the tag by its type.</summary>
    public static GgufValue From(object value) => value switch
    {
        byte => new(GgufValueType.UInt8, value),
        sbyte => new(GgufValueType.Int8, value),
        ushort => new(GgufValueType.UInt16, value),
        short => new(GgufValueType.Int16, value),
        uint => new(GgufValueType.UInt32, value),
        int => new(GgufValueType.Int32, value),
        float => new(GgufValueType.Float32, value),
        bool => new(GgufValueType.Bool, value),
        string => new(GgufValueType.String, value),
        GgufArray => new(GgufValueType.Array, value),
        ulong => new(GgufValueType.UInt64, value),
        long => new(GgufValueType.Int64, value),
        double => new(GgufValueType.Float64, value),
        _ => throw new ArgumentException($"no GGUF type for {value.GetType().Name}", nameof(value)),
    };

    /// <summary>True when the value is an integer of any width and sign.</summary>
    public bool IsInteger => Type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16
        or GgufValueType.Int16 or GgufValueType.UInt32 or GgufValueType.Int32
        or GgufValueType.UInt64 or GgufValueType.Int64;

    /// <summary>The value as a 64-bit integer; throws <see cref="InvalidCastException"/> for non-integers or overflow.</summary>
    public long AsInt64() => IsInteger
        ? Type == GgufValueType.UInt64 ? checked((long)(ulong)Value) : Convert.ToInt64(Value, CultureInfo.InvariantCulture)
        : throw new InvalidCastException($"expected an integer, found {Type}");

    /// <summary>The value as a 32-bit float; accepts Float32, Float64 and integers.</summary>
    public float AsSingle() => Type switch
    {
        GgufValueType.Float32 => (float)Value,
        GgufValueType.Float64 => (float)(double)Value,
        _ when IsInteger => AsInt64(),
        _ => throw new InvalidCastException($"expected a number, found {Type}"),
    };

    /// <summary>The value as a string; throws for other types.</summary>
    public string AsString() => Value as string ?? throw new InvalidCastException($"expected a string, found {Type}");

    /// <summary>The value as a boolean; throws for other types.</summary>
    public bool AsBoolean() => Value is bool b ? b : throw new InvalidCastException($"expected a bool, found {Type}");

    /// <summary>The value as an array; throws for other types.</summary>
    public GgufArray AsArray() => Value as GgufArray ?? throw new InvalidCastException($"expected an array, found {Type}");

    /// <inheritdoc />
    public override string ToString() => Value switch
    {
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };
}
