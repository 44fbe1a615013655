using System.Text;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// Turns the bytes of generated tokens into text as they arrive. A character split across tokens (an
/// emoji spelled as four <c>&lt;0xNN&gt;</c> tokens) is held back until its last byte comes, so no partial
/// character is ever returned; bytes that can no longer form a character become U+FFFD as soon as that
/// is certain. Not thread-safe: one instance per stream.
/// </summary>
public sealed class Utf8StreamDecoder
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();

    /// <summary>
    /// Adds <paramref name="bytes"/> (typically <see cref="ITokenizer.TokenBytes"/>) and returns the text
    /// completed by them, possibly empty. At most three bytes of an incomplete character stay held back.
    /// </summary>
    public string Decode(ReadOnlySpan<byte> bytes) => Convert(bytes, flush: false);

    /// <summary>Ends the stream: returns U+FFFD for each held-back byte sequence, if any, and resets the decoder.</summary>
    public string Flush() => Convert([], flush: true);

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        // Every output character needs at least one input byte, counting the (at most 3) held back.
        var capacity = bytes.Length + 4;
        var chars = capacity <= 512 ? stackalloc char[capacity] : new char[capacity];
        var count = _decoder.GetChars(bytes, chars, flush);
        return count == 0 ? string.Empty : new string(chars[..count]);
    }
}
