namespace Yardmaster.Inference.Tests.Tokenization;

/// <summary>
/// The Llama-2 vocabulary against llama.cpp's own expectations. The cases without BOS are the inputs of
/// llama.cpp's convert_hf_to_gguf_update.py and the token ids in models/ggml-vocab-llama-spm.gguf.out
/// (tokenized with add_special = false), which test-tokenizer-0 checks llama.cpp against; they match
/// Hugging Face's Llama-2 tokenizer. The cases with BOS are the ones given with this task.
/// </summary>
public class SentencePieceLlama2ReferenceTests
{
    private const string Chktxt =
        "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n\U0001F680 (normal) \U0001F636\u200D\U0001F32B\uFE0F (multiple emojis concatenated) "
        + "\u2705 \U0001F999\U0001F999 3 33 333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 "
        + "\u1780\u17B6\u1793\u17CB\u178F\u17C2\u1796\u17B7\u179F\u17C1\u179F\u17A2\u17B6\u1785\U0001F601 ?\u6211\u60F3\u5728apple\u5DE5\u4F5C1314151\u5929\uFF5E "
        + "------======= \u043D\u0435\u0449\u043E \u043D\u0430 \u0411\u044A\u043B\u0433\u0430\u0440\u0441\u043A\u0438 ''''''```````\"\"\"\"......!!!!!!?????? "
        + "I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL";

    public static TheoryData<string, int[]> LlamaCppCases => new()
    {
        { "ied 4 \u00BD months", [474, 287, 29871, 29946, 29871, 30226, 7378] },
        { "F\u00FChrer", [383, 4000, 261] },
        { "", [] },
        { " ", [259] },
        { "  ", [1678] },
        { "   ", [268] },
        { "\t", [29871, 12] },
        { "\n", [29871, 13] },
        { "\n\n", [29871, 13, 13] },
        { "\n\n\n", [29871, 13, 13, 13] },
        { "\t\n", [29871, 12, 13] },
        { "Hello world", [15043, 3186] },
        { " Hello world", [29871, 15043, 3186] },
        { "Hello World", [15043, 2787] },
        { " Hello World", [29871, 15043, 2787] },
        { " Hello World!", [29871, 15043, 2787, 29991] },
        { "Hello, world!", [15043, 29892, 3186, 29991] },
        { " Hello, world!", [29871, 15043, 29892, 3186, 29991] },
        { " this is \U0001F999.cpp", [29871, 445, 338, 29871, 243, 162, 169, 156, 29889, 8223] },
        { "w048 7tuijk dsdfhu", [281, 29900, 29946, 29947, 29871, 29955, 9161, 13535, 18031, 2176, 6905] },
        { "\u043D\u0435\u0449\u043E \u043D\u0430 \u0411\u044A\u043B\u0433\u0430\u0440\u0441\u043A\u0438", [1538, 4851, 665, 1386, 29713, 1305] },
        {
            "\u1780\u17B6\u1793\u17CB\u178F\u17C2\u1796\u17B7\u179F\u17C1\u179F\u17A2\u17B6\u1785\u1781\u179B\u1785\u17C1\u1789",
            [29871, 31849, 31324, 31934, 228, 162, 142, 228, 161, 146, 228, 162, 133, 228, 161, 153, 228, 161, 186, 31708, 228, 162, 132,
             31708, 228, 161, 165, 31324, 228, 161, 136, 228, 161, 132, 228, 161, 158, 228, 161, 136, 228, 162, 132, 228, 161, 140]
        },
        {
            "\U0001F680 (normal) \U0001F636\u200D\U0001F32B\uFE0F (multiple emojis concatenated) \u2705 (only emoji that has its own token)",
            [29871, 243, 162, 157, 131, 313, 8945, 29897, 29871, 243, 162, 155, 185, 30722, 243, 162, 143, 174, 30598, 313, 20787, 953,
             3848, 275, 16125, 630, 29897, 29871, 31681, 313, 6194, 953, 29877, 2397, 393, 756, 967, 1914, 5993, 29897]
        },
        { "Hello", [15043] },
        { " Hello", [29871, 15043] },
        { "  Hello", [259, 15043] },
        { "   Hello", [1678, 15043] },
        { "    Hello", [268, 15043] },
        { "    Hello\n    Hello", [268, 15043, 13, 1678, 15043] },
        { " (", [29871, 313] },
        { "\n =", [29871, 13, 353] },
        { "' era", [525, 3152] },
        {
            "Hello, y'all! How are you \U0001F601 ?\u6211\u60F3\u5728apple\u5DE5\u4F5C1314151\u5929\uFF5E",
            [15043, 29892, 343, 29915, 497, 29991, 1128, 526, 366, 29871, 243, 162, 155, 132, 1577, 30672, 31522, 30505, 11548, 31041,
             30732, 29896, 29941, 29896, 29946, 29896, 29945, 29896, 30408, 30739]
        },
        { "3", [29871, 29941] },
        { "33", [29871, 29941, 29941] },
        { "333", [29871, 29941, 29941, 29941] },
        { "333333333", [29871, 29941, 29941, 29941, 29941, 29941, 29941, 29941, 29941, 29941] },
        {
            Chktxt,
            [29871, 13, 29871, 13, 13, 29871, 13, 13, 13, 29871, 12, 29871, 12, 12, 29871, 12, 13, 259, 13, 1678, 13, 268, 13, 418, 13, 243, 162,
             157, 131, 313, 8945, 29897, 29871, 243, 162, 155, 185, 30722, 243, 162, 143, 174, 30598, 313, 20787, 953, 3848, 275, 16125, 630,
             29897, 29871, 31681, 29871, 243, 162, 169, 156, 243, 162, 169, 156, 29871, 29941, 29871, 29941, 29941, 29871, 29941, 29941,
             29941, 29871, 29941, 29941, 29941, 29941, 29871, 29941, 29941, 29941, 29941, 29941, 29871, 29941, 29941, 29941, 29941, 29941,
             29941, 29871, 29941, 29941, 29941, 29941, 29941, 29941, 29941, 29871, 29941, 29941, 29941, 29941, 29941, 29941, 29941, 29941,
             29871, 29941, 29889, 29941, 29871, 29941, 636, 29941, 29871, 29941, 856, 29941, 29871, 31849, 31324, 31934, 228, 162, 142, 228,
             161, 146, 228, 162, 133, 228, 161, 153, 228, 161, 186, 31708, 228, 162, 132, 31708, 228, 161, 165, 31324, 228, 161, 136, 243,
             162, 155, 132, 1577, 30672, 31522, 30505, 11548, 31041, 30732, 29896, 29941, 29896, 29946, 29896, 29945, 29896, 30408, 30739,
             448, 23648, 2751, 25512, 1538, 4851, 665, 1386, 29713, 1305, 14550, 4907, 11120, 16159, 16159, 16159, 15945, 15945, 3045, 636,
             6824, 6824, 6824, 8773, 8773, 8773, 306, 29915, 345, 1063, 525, 29873, 1025, 540, 29915, 29879, 727, 29892, 525, 1525, 366,
             1854, 29973, 525, 29924, 451, 1854, 306, 29915, 645, 1207, 372, 29892, 525, 29928, 366, 763, 777, 23429, 29973, 1334, 29915,
             29963, 29872, 263, 29915, 29880, 29931]
        },
    };

    public static TheoryData<string, int[]> TaskCases => new()
    {
        // Certain: these four agree with the llama.cpp cases above plus BOS.
        { "Hello world", [1, 15043, 3186] },
        { " Hello world", [1, 29871, 15043, 3186] },
        { "Hello World", [1, 15043, 2787] },
        { "   Hello", [1, 1678, 15043] },
        { "\n", [1, 29871, 13] },

        // Given with the task; every word is one Llama-2 token ("▁Once" 9038, "▁upon" 2501, "▁a" 263, "▁time" 931).
        { "Once upon a time", [1, 9038, 2501, 263, 931] },
    };

    [Theory]
    [MemberData(nameof(LlamaCppCases))]
    public void Encode_WithoutBos_MatchesLlamaCpp(string text, int[] expected) =>
        Assert.Equal(expected, SharedTokenizers.Llama2.Encode(text, addBos: false, parseSpecial: false));

    [Theory]
    [MemberData(nameof(TaskCases))]
    public void Encode_WithBos_MatchesReference(string text, int[] expected) =>
        Assert.Equal(expected, SharedTokenizers.Llama2.Encode(text, addBos: true, parseSpecial: false));
}
