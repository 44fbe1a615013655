namespace Yardmaster.Inference.Engine;

/// <summary>Why a request was not admitted.</summary>
public enum SubmitRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>Every slot is busy and the queue is full.</summary>
    QueueFull,

    /// <summary>The prompt does not fit in the context.</summary>
    PromptTooLong,

    /// <summary>The request is invalid (empty prompt, bad token id, bad options).</summary>
    Invalid,

    /// <summary>The engine is shutting down.</summary>
    ShuttingDown,
}
