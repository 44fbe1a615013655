namespace Yardmaster.Inference.Engine;

/// <summary>Why a sequence ended.</summary>
public enum FinishReason
{
    /// <summary>An end-of-generation token or a stop string.</summary>
    Stop,

    /// <summary><c>MaxTokens</c> generated, or the context is full.</summary>
    Length,

    /// <summary>The caller cancelled.</summary>
    Cancelled,

    /// <summary>The engine failed; see the event's message.</summary>
    Error,
}
