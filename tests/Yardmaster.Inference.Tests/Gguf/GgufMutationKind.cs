namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>How a corpus file is damaged.</summary>
public enum GgufMutationKind
{
    /// <summary>1 to 8 random bits flipped.</summary>
    BitFlip,
    /// <summary>1 to 16 bytes overwritten with 0x00, 0xFF or random bytes.</summary>
    ByteOverwrite,
    /// <summary>The file cut at a random offset.</summary>
    Truncation,
    /// <summary>1 to 64 random bytes inserted.</summary>
    Insertion,
    /// <summary>1 to 64 bytes deleted.</summary>
    Deletion,
    /// <summary>One header field (count, length, type, n_dims, dim, offset, alignment...) set to an edge value.</summary>
    HeaderField,
    /// <summary>A well-formed file with wrong content: a metadata value retyped or removed, a tensor reshaped, retyped, renamed or removed.</summary>
    Rewrite,
}
