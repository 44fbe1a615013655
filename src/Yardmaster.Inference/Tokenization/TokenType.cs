namespace Yardmaster.Inference.Tokenization;

/// <summary>Token types as numbered in <c>tokenizer.ggml.token_type</c> (llama.cpp's <c>llama_token_type</c>).</summary>
internal enum TokenType
{
    /// <summary>No type given, or a number outside 1..6; decodes to nothing.</summary>
    Undefined = 0,

    /// <summary>An ordinary piece of text.</summary>
    Normal = 1,

    /// <summary>The unknown token (<c>&lt;unk&gt;</c>).</summary>
    Unknown = 2,

    /// <summary>A control token such as BOS, EOS or <c>&lt;|im_start|&gt;</c>; decodes to nothing.</summary>
    Control = 3,

    /// <summary>An added token matched verbatim in the text even without special parsing.</summary>
    UserDefined = 4,

    /// <summary>A reserved slot; decodes to nothing.</summary>
    Unused = 5,

    /// <summary>A byte-fallback token, <c>&lt;0xNN&gt;</c>.</summary>
    Byte = 6,
}
