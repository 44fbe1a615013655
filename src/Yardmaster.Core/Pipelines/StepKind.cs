namespace Yardmaster.Core.Pipelines;

/// <summary>What a step's body is, and so which executor runs it.</summary>
public enum StepKind
{
    /// <summary><c>run:</c> a shell command; executor <c>process</c>.</summary>
    Run,

    /// <summary><c>container:</c> an image and a command; executor <c>docker</c>.</summary>
    Container,

    /// <summary><c>inference:</c> a JSONL file of requests through the request scheduler.</summary>
    Inference,
}
