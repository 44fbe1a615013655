using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Yardmaster.Core.Pipelines;

/// <summary>The scoring rules of <c>evaluate</c> steps. Pure and thread-safe.</summary>
public static partial class AnswerScoring
{
    /// <summary>How long one regular expression may run on one answer before it counts as no match.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>The names used in YAML, in <see cref="ScoreMethod"/> order.</summary>
    public static readonly IReadOnlyDictionary<string, ScoreMethod> Names = new Dictionary<string, ScoreMethod>(StringComparer.Ordinal)
    {
        ["exact"] = ScoreMethod.Exact,
        ["contains"] = ScoreMethod.Contains,
        ["regex"] = ScoreMethod.Regex,
        ["json_match"] = ScoreMethod.JsonMatch,
        ["judge"] = ScoreMethod.Judge,
    };

    /// <summary>
    /// The score in [0, 1] of <paramref name="answer"/> against <paramref name="expected"/> (a JSON string, or for
    /// <see cref="ScoreMethod.JsonMatch"/> any JSON value) by a rule other than <see cref="ScoreMethod.Judge"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="method"/> is <see cref="ScoreMethod.Judge"/>, or a text rule's expected value is not a string.</exception>
    public static double Score(ScoreMethod method, string answer, JsonNode? expected)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (method == ScoreMethod.JsonMatch)
        {
            return FirstJson(answer) is { } found && JsonNode.DeepEquals(Canonical(found), Canonical(expected)) ? 1 : 0;
        }

        var text = expected is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ArgumentException($"{method} scoring needs a string expected value", nameof(expected));
        return method switch
        {
            ScoreMethod.Exact => Normalise(answer) == Normalise(text) ? 1 : 0,
            ScoreMethod.Contains => Normalise(answer).Contains(Normalise(text), StringComparison.Ordinal) ? 1 : 0,
            ScoreMethod.Regex => Matches(answer, text) ? 1 : 0,
            _ => throw new ArgumentException("a judge's score comes from the judge's reply (ParseJudge)", nameof(method)),
        };
    }

    /// <summary>Why <paramref name="pattern"/> cannot be used as a <c>regex</c> expected value; null when it can.</summary>
    public static string? CheckPattern(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, RegexTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>Trimmed, lower-cased (invariant), every run of white space one space.</summary>
    public static string Normalise(string text) => Spaces().Replace(text.Trim().ToLowerInvariant(), " ");

    /// <summary>The question put to a judge about one answer: the rubric, the question, the reference answer and the answer, asking for a grade from 0 to 10 alone.</summary>
    public static string JudgePrompt(string? rubric, string question, string expected, string answer) =>
        new StringBuilder()
            .Append("You grade answers. Rubric: ").Append(rubric ?? "the answer is correct and complete").Append('\n')
            .Append("Question: ").Append(question).Append('\n')
            .Append("Reference answer: ").Append(expected).Append('\n')
            .Append("Answer to grade: ").Append(answer).Append('\n')
            .Append("Reply with one integer from 0 (wrong) to 10 (perfect) and nothing else.")
            .ToString();

    /// <summary>The grade in a judge's reply, the first number in it from 0 to 10, as a score in [0, 1]; null when there is none.</summary>
    public static double? ParseJudge(string reply)
    {
        foreach (Match m in Numbers().Matches(reply))
        {
            if (double.TryParse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var grade) && grade is >= 0 and <= 10)
            {
                return grade / 10;
            }
        }

        return null;
    }

    private static bool Matches(string answer, string pattern)
    {
        try
        {
            return Regex.IsMatch(answer, pattern, RegexOptions.None, RegexTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The first complete JSON object, array or value in the text (models often wrap JSON in prose or code fences).</summary>
    private static JsonNode? FirstJson(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (i > 0 && text[i] is not ('{' or '['))
            {
                continue; // the whole text first, then from each opening of an object or array
            }

            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text[i..]), new JsonReaderOptions { AllowTrailingCommas = false });
            try
            {
                if (JsonNode.Parse(ref reader) is { } node)
                {
                    return node;
                }
            }
            catch (JsonException)
            {
                // not JSON from here: try the next opening
            }
        }

        return null;
    }

    /// <summary>Numbers as doubles, so 1 and 1.0 compare equal; objects and arrays rebuilt the same way.</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(v.GetValue<double>()),
        _ => node?.DeepClone(),
    };

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Numbers();
}
