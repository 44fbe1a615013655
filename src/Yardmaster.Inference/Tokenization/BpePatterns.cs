using System.Text.RegularExpressions;

namespace Yardmaster.Inference.Tokenization;

/// <summary>
/// The pre-tokenizer regular expressions of llama.cpp's <c>llm_tokenizer_bpe</c>, compiled at build time.
/// The GPT-2 expression carries the final <c>\s+</c> that llama.cpp's hand-written GPT-2 splitter adds.
/// </summary>
internal static partial class BpePatterns
{
    /// <summary>GPT-2 (<c>LLAMA_VOCAB_PRE_TYPE_GPT2</c>).</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    public static partial Regex Gpt2();

    /// <summary>Llama 3 (<c>LLAMA_VOCAB_PRE_TYPE_LLAMA3</c>): numbers in groups of up to three digits.</summary>
    [GeneratedRegex(@"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    public static partial Regex Llama3();

    /// <summary>Qwen 2 (<c>LLAMA_VOCAB_PRE_TYPE_QWEN2</c>): as Llama 3 but one digit per word.</summary>
    [GeneratedRegex(@"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    public static partial Regex Qwen2();

    /// <summary>First expression of <c>LLAMA_VOCAB_PRE_TYPE_DEFAULT</c>: runs of punctuation.</summary>
    [GeneratedRegex(@"[\p{P}\$\+<=>\^~\|]+", RegexOptions.CultureInvariant)]
    public static partial Regex DefaultPunctuation();

    /// <summary>Third expression of <c>LLAMA_VOCAB_PRE_TYPE_DEFAULT</c>: runs of numbers.</summary>
    [GeneratedRegex(@"\p{N}+", RegexOptions.CultureInvariant)]
    public static partial Regex DefaultNumbers();

    /// <summary>Fourth expression of <c>LLAMA_VOCAB_PRE_TYPE_DEFAULT</c>: three ASCII digits.</summary>
    [GeneratedRegex("[0-9][0-9][0-9]", RegexOptions.CultureInvariant)]
    public static partial Regex DefaultThreeDigits();
}
