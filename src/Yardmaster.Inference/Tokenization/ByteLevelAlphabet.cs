namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c>: every byte as one printable character. Bytes that are printable
/// Latin-1 (<c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c>, <c>®</c>..<c>ÿ</c>) stand for themselves; the other 68
/// take U+0100 onwards in byte order, so a space is <c>Ġ</c> (U+0120) and a newline <c>Ċ</c> (U+010A).
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] _byteToChar = BuildByteToChar();
    private static readonly short[] _charToByte = BuildCharToByte();

    /// <summary>The character that stands for <paramref name="b"/>.</summary>
    public static char ToChar(byte b) => _byteToChar[b];

    /// <summary>The byte that <paramref name="c"/> stands for, if it is one of the 256 characters.</summary>
    public static bool TryGetByte(char c, out byte b)
    {
        var value = c < _charToByte.Length ? _charToByte[c] : (short)-1;
        b = (byte)value;
        return value >= 0;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[256 + 68];
        Array.Fill(map, (short)-1);
        for (var b = 0; b < 256; b++)
        {
            map[_byteToChar[b]] = (short)b;
        }

        return map;
    }
}
