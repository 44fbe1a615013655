namespace Yardmaster.Core.Pipelines;

/// <summary>How an <c>evaluate</c> step scores an answer against the item's <c>expected</c> (see <see cref="AnswerScoring"/>).</summary>
public enum ScoreMethod
{
    /// <summary><c>exact</c>: 1 when the answer equals the expected text, both normalised (trimmed, case-folded, whitespace collapsed).</summary>
    Exact,

    /// <summary><c>contains</c>: 1 when the normalised answer contains the normalised expected text.</summary>
    Contains,

    /// <summary><c>regex</c>: 1 when the expected text, a .NET regular expression, matches somewhere in the answer.</summary>
    Regex,

    /// <summary><c>json_match</c>: 1 when the first JSON value in the answer equals the expected JSON (objects compared by key, numbers by value).</summary>
    JsonMatch,

    /// <summary><c>judge</c>: a judge model grades the answer from 0 to 10 against the rubric and the expected answer; the score is the grade / 10.</summary>
    Judge,
}
