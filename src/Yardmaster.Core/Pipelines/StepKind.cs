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

    /// <summary><c>evaluate:</c> a dataset asked of models through the request scheduler, scored, and recorded as their quality.</summary>
    Evaluate,
}
