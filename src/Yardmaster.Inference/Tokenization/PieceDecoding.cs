using System.Buffers;
using System.Text;

namespace Yardmaster.Inference.Tokenization;

/// <summary>Turns a sequence of token ids into text through <see cref="ITokenizer.TokenBytes"/>.</summary>
internal static class PieceDecoding
{
    /// <summary>
    /// Concatenates the tokens' bytes and decodes them as UTF-8, invalid sequences becoming U+FFFD.
    /// With <paramref name="stripLeadingSpace"/>, one space is removed from the start of the first
    /// token's bytes (llama.cpp's <c>lstrip</c> in <c>llama_detokenize</c>).
    /// </summary>
    public static string Decode(ITokenizer tokenizer, ReadOnlySpan<int> ids, bool stripLeadingSpace)
    {
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < ids.Length; i++)
        {
            var piece = tokenizer.TokenBytes(ids[i]);
            if (i == 0 && stripLeadingSpace && piece.Length > 0 && piece[0] == (byte)' ')
            {
                piece = piece[1..];
            }

            buffer.Write(piece);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
