using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// Reads and checks the <c>tokenizer.ggml.*</c> metadata. Every problem is a <see cref="GgufFormatException"/>
/// whose field names the key, e.g. <c>metadata["tokenizer.ggml.scores"]</c>.
/// </summary>
internal static class TokenizerMetadata
{
    /// <summary>The error field for <paramref name="key"/>.</summary>
    public static string Field(string key) => $"metadata[\"{key}\"]";

    /// <summary>A string value, or <paramref name="fallback"/> when the key is absent.</summary>
    public static string? String(GgufFile file, string key, string? fallback = null)
    {
        var value = file.Find(key);
        if (value is null)
        {
            return fallback;
        }

        return value.Value as string ?? throw Error(key, $"expected a string, found {value.Type}");
    }

    /// <summary>A boolean value, or <paramref name="fallback"/> when the key is absent.</summary>
    public static bool Boolean(GgufFile file, string key, bool fallback)
    {
        var value = file.Find(key);
        if (value is null)
        {
            return fallback;
        }

        return value.Value is bool b ? b : throw Error(key, $"expected a bool, found {value.Type}");
    }

    /// <summary>A string array that must be present and not empty.</summary>
    public static string[] Strings(GgufFile file, string key)
    {
        var array = Array(file, key) ?? throw Error(key, "missing");
        var strings = array.Items as string[] ?? throw Error(key, $"expected an array of strings, found an array of {array.ElementType}");
        return strings.Length > 0 ? strings : throw Error(key, "empty");
    }

    /// <summary>Scores (float32 or int32) with one entry per token, or null when absent.</summary>
    public static float[]? Scores(GgufFile file, string key, int tokenCount)
    {
        var array = Array(file, key);
        var scores = array?.Items switch
        {
            null => null,
            float[] floats => floats,
            int[] ints => System.Array.ConvertAll(ints, i => (float)i),
            _ => throw Error(key, $"expected an array of float32, found an array of {array.ElementType}"),
        };
        return scores is null || scores.Length == tokenCount ? scores : throw Error(key, $"{scores.Length} entries for {tokenCount} tokens");
    }

    /// <summary>Token types (int32) with one entry per token, or null when absent.</summary>
    public static TokenType[]? TokenTypes(GgufFile file, string key, int tokenCount)
    {
        var array = Array(file, key);
        if (array is null)
        {
            return null;
        }

        var ints = array.Items as int[] ?? throw Error(key, $"expected an array of int32, found an array of {array.ElementType}");
        return ints.Length == tokenCount
            ? System.Array.ConvertAll(ints, i => (TokenType)i)
            : throw Error(key, $"{ints.Length} entries for {tokenCount} tokens");
    }

    /// <summary>
    /// A token id: <paramref name="fallback"/> when absent (or -1 when the fallback is outside the vocabulary),
    /// -1 when stored as -1 or 0xFFFFFFFF (the converters' "none"); any other value must be a valid id.
    /// </summary>
    public static int TokenId(GgufFile file, string key, int fallback, int tokenCount)
    {
        var value = file.Find(key);
        if (value is null)
        {
            return fallback < tokenCount ? fallback : -1;
        }

        if (!value.IsInteger)
        {
            throw Error(key, $"expected an integer, found {value.Type}");
        }

        var id = value.Type == GgufValueType.UInt64 ? (long)Math.Min((ulong)value.Value, long.MaxValue) : value.AsInt64();
        if (id is -1 or uint.MaxValue)
        {
            return -1;
        }

        return id >= 0 && id < tokenCount ? (int)id : throw Error(key, $"token id {id} is outside the vocabulary of {tokenCount} tokens");
    }

    /// <summary>A metadata error naming <paramref name="key"/>.</summary>
    public static GgufFormatException Error(string key, string reason) => new(Field(key), 0, reason);

    private static GgufArray? Array(GgufFile file, string key)
    {
        var value = file.Find(key);
        if (value is null)
        {
            return null;
        }

        return value.Value as GgufArray ?? throw Error(key, $"expected an array, found {value.Type}");
    }
}
