namespace Yardmaster.Inference.Gguf;

/// <summary>Tensor element types as numbered by ggml. Only the types listed here are accepted.</summary>
public enum GgmlType : uint
{
    /// <summary>32-bit float.</summary>
    F32 = 0,
    /// <summary>IEEE half.</summary>
    F16 = 1,
    /// <summary>Blocks of 32: f16 scale, 16 bytes of 4-bit values.</summary>
    Q4_0 = 2,
    /// <summary>Blocks of 32: f16 scale, f16 min, 16 bytes of 4-bit values.</summary>
    Q4_1 = 3,
    /// <summary>Blocks of 32: f16 scale, 4 bytes high bits, 16 bytes low nibbles.</summary>
    Q5_0 = 6,
    /// <summary>Blocks of 32: f16 scale, f16 min, 4 bytes high bits, 16 bytes low nibbles.</summary>
    Q5_1 = 7,
    /// <summary>Blocks of 32: f16 scale, 32 signed bytes.</summary>
    Q8_0 = 8,
    /// <summary>Blocks of 32: f32 scale, f32 sum, 32 signed bytes.</summary>
    Q8_1 = 9,
    /// <summary>K-quant super-blocks of 256, 2 bits.</summary>
    Q2_K = 10,
    /// <summary>K-quant super-blocks of 256, 3 bits.</summary>
    Q3_K = 11,
    /// <summary>K-quant super-blocks of 256, 4 bits.</summary>
    Q4_K = 12,
    /// <summary>K-quant super-blocks of 256, 5 bits.</summary>
    Q5_K = 13,
    /// <summary>K-quant super-blocks of 256, 6 bits.</summary>
    Q6_K = 14,
    /// <summary>K-quant super-blocks of 256, 8 bits.</summary>
    Q8_K = 15,
    /// <summary>8-bit integer.</summary>
    I8 = 24,
    /// <summary>16-bit integer.</summary>
    I16 = 25,
    /// <summary>32-bit integer.</summary>
    I32 = 26,
    /// <summary>64-bit integer.</summary>
    I64 = 27,
    /// <summary>64-bit float.</summary>
    F64 = 28,
    /// <summary>bfloat16.</summary>
    BF16 = 30,
}
