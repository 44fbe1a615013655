using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Server.ModelServer;

/// <summary>The one model a model server serves: its public name, engine, tokenizer and chat template.</summary>
internal sealed class ServedModel(string name, InferenceEngine engine, ITokenizer tokenizer, ChatTemplate template, long createdUnixSeconds)
{
    public string Name { get; } = name;

    public InferenceEngine Engine { get; } = engine;

    public ITokenizer Tokenizer { get; } = tokenizer;

    public ChatTemplate Template { get; } = template;

    public long Created { get; } = createdUnixSeconds;

    /// <summary>Time from the start of loading to the warm-up's first token; zero until then.</summary>
    public TimeSpan LoadTime { get; set; }
}
