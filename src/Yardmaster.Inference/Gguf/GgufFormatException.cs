namespace Yardmaster.Inference.Gguf;

/// <summary>
/// A GGUF file is not well formed. <see cref="Field"/> names what was being read and
/// <see cref="Offset"/> is the byte offset in the file where it starts.
/// </summary>
public sealed class GgufFormatException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with the field and the offset.</summary>
    public GgufFormatException(string field, long offset, string reason)
        : base($"invalid GGUF at byte {offset} ({field}): {reason}")
    {
        Field = field;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Creates the exception with a plain message (for the serializer contract).</summary>
    public GgufFormatException()
        : this("file", 0, "invalid GGUF")
    {
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public GgufFormatException(string message)
        : this("file", 0, message)
    {
    }

    /// <summary>Creates the exception with a plain message and an inner exception.</summary>
    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "file";
        Reason = message;
    }

    /// <summary>The field that could not be read, e.g. <c>tensor[3].dims[1]</c> or <c>metadata["general.name"]</c>.</summary>
    public string Field { get; }

    /// <summary>Byte offset in the file where the field starts.</summary>
    public long Offset { get; }

    /// <summary>Why the field is invalid.</summary>
    public string Reason { get; }
}
