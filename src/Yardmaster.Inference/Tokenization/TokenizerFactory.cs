using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tokenization;

/// <summary>Creates the tokenizer that a GGUF file's <c>tokenizer.ggml.*</c> metadata describes.</summary>
public static class TokenizerFactory
{
    private const string ModelKey = "tokenizer.ggml.model";
    private const string PreKey = "tokenizer.ggml.pre";
    private const string TokensKey = "tokenizer.ggml.tokens";
    private const string ScoresKey = "tokenizer.ggml.scores";
    private const string TypesKey = "tokenizer.ggml.token_type";
    private const string MergesKey = "tokenizer.ggml.merges";
    private const string BosKey = "tokenizer.ggml.bos_token_id";
    private const string EosKey = "tokenizer.ggml.eos_token_id";
    private const string UnknownKey = "tokenizer.ggml.unknown_token_id";
    private const string EndOfTurnKey = "tokenizer.ggml.eot_token_id";
    private const string EndOfMessageKey = "tokenizer.ggml.eom_token_id";
    private const string AddBosKey = "tokenizer.ggml.add_bos_token";
    private const string AddSpacePrefixKey = "tokenizer.ggml.add_space_prefix";

    /// <summary>
    /// Builds the tokenizer for <paramref name="file"/>: SentencePiece for <c>tokenizer.ggml.model = "llama"</c>,
    /// byte-level BPE for <c>"gpt2"</c>. Throws <see cref="GgufFormatException"/> naming the metadata key when
    /// the model is missing or unsupported, an array is missing, mistyped or of the wrong length, a token
    /// text repeats, or a special token id lies outside the vocabulary. The result does not keep
    /// <paramref name="file"/> and stays valid after it is disposed.
    /// </summary>
    public static ITokenizer FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var model = TokenizerMetadata.String(file, ModelKey) ?? throw TokenizerMetadata.Error(ModelKey, "missing: the file has no tokenizer");
        return model switch
        {
            "llama" => CreateSentencePiece(file),
            "gpt2" => CreateGpt2(file),
            _ => throw TokenizerMetadata.Error(ModelKey, $"tokenizer model \"{model}\" is not supported (supported: \"llama\", \"gpt2\")"),
        };
    }

    private static SentencePieceTokenizer CreateSentencePiece(GgufFile file)
    {
        var tokens = TokenizerMetadata.Strings(file, TokensKey);
        var scores = TokenizerMetadata.Scores(file, ScoresKey, tokens.Length) ?? throw TokenizerMetadata.Error(ScoresKey, "missing");
        var vocabulary = new Vocabulary(tokens, TokenizerMetadata.TokenTypes(file, TypesKey, tokens.Length));

        // llama.cpp's defaults for SentencePiece: BOS 1, EOS 2, UNK 0, BOS added, space prefix added.
        var ids = ReadIds(file, tokens.Length, bos: 1, eos: 2, unknown: 0);
        var addBos = ReadAddBos(file, ids, fallback: true);
        return new SentencePieceTokenizer(vocabulary, scores, ids, addBos, TokenizerMetadata.Boolean(file, AddSpacePrefixKey, true));
    }

    private static Gpt2BpeTokenizer CreateGpt2(GgufFile file)
    {
        var tokens = TokenizerMetadata.Strings(file, TokensKey);
        var merges = TokenizerMetadata.Strings(file, MergesKey);
        var vocabulary = new Vocabulary(tokens, TokenizerMetadata.TokenTypes(file, TypesKey, tokens.Length));
        var preTokenizer = BpePreTokenizer.FromName(TokenizerMetadata.String(file, PreKey));

        // llama.cpp defaults BOS and EOS to 11 for "gpt2" (a Falcon leftover that is a comma in GPT-2's
        // vocabulary); without the keys there is no BOS or EOS here instead.
        var ids = ReadIds(file, tokens.Length, bos: -1, eos: -1, unknown: -1);
        var addBos = ReadAddBos(file, ids, preTokenizer.AddBosByDefault);
        return new Gpt2BpeTokenizer(vocabulary, merges, preTokenizer, ids, addBos);
    }

    private static SpecialTokenIds ReadIds(GgufFile file, int count, int bos, int eos, int unknown) => new(
        TokenizerMetadata.TokenId(file, BosKey, bos, count),
        TokenizerMetadata.TokenId(file, EosKey, eos, count),
        TokenizerMetadata.TokenId(file, UnknownKey, unknown, count),
        TokenizerMetadata.TokenId(file, EndOfTurnKey, -1, count),
        TokenizerMetadata.TokenId(file, EndOfMessageKey, -1, count));

    private static bool ReadAddBos(GgufFile file, SpecialTokenIds ids, bool fallback)
    {
        var addBos = TokenizerMetadata.Boolean(file, AddBosKey, fallback);
        if (addBos && ids.Bos < 0)
        {
            // llama.cpp refuses the same (check_add_special_token).
            throw TokenizerMetadata.Error(AddBosKey, $"BOS is to be added but {BosKey} is not set");
        }

        return addBos;
    }
}
