namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>What a header field of a GGUF file holds, for targeted mutations.</summary>
public enum GgufFieldKind
{
    Magic,
    Version,
    TensorCount,
    MetadataCount,
    KeyLength,
    ValueType,
    StringLength,
    ArrayType,
    ArrayCount,
    Scalar,
    Alignment,
    NameLength,
    DimensionCount,
    Dimension,
    TensorType,
    TensorOffset,
}
