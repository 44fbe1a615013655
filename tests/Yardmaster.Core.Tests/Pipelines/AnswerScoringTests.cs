using System.Text.Json.Nodes;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Tests.Pipelines;

public sealed class AnswerScoringTests
{
    [Theory]
    [InlineData(ScoreMethod.Exact, "  Paris\n", "paris", 1)]
    [InlineData(ScoreMethod.Exact, "Paris, France", "paris", 0)]
    [InlineData(ScoreMethod.Contains, "The capital is   PARIS.", "capital is paris", 1)]
    [InlineData(ScoreMethod.Contains, "Lyon", "paris", 0)]
    [InlineData(ScoreMethod.Regex, "order 12345 shipped", @"\b\d{5}\b", 1)]
    [InlineData(ScoreMethod.Regex, "order 1234 shipped", @"\b\d{5}\b", 0)]
    public void Score_TextRules_AsDocumented(ScoreMethod method, string answer, string expected, double score) =>
        Assert.Equal(score, AnswerScoring.Score(method, answer, JsonValue.Create(expected)));

    [Theory]
    [InlineData("""Sure: ```json {"label": "urgent", "n": 1.0} ```""", """{"n": 1, "label": "urgent"}""", 1)]
    [InlineData("""{"label": "urgent", "n": 2}""", """{"n": 1, "label": "urgent"}""", 0)]
    [InlineData("[1, 2, 3]", "[1, 2, 3]", 1)]
    [InlineData("no json here", """{"a": 1}""", 0)]
    [InlineData("42", "42", 1)]
    public void Score_JsonMatch_FirstJsonValueComparedByContent(string answer, string expected, double score) =>
        Assert.Equal(score, AnswerScoring.Score(ScoreMethod.JsonMatch, answer, JsonNode.Parse(expected)));

    [Fact]
    public void Score_CatastrophicPattern_TimesOutAsNoMatch()
    {
        var answer = new string('a', 40) + "!";
        Assert.Equal(0, AnswerScoring.Score(ScoreMethod.Regex, answer, JsonValue.Create("^(a+)+$")));
    }

    [Theory]
    [InlineData("8", 0.8)]
    [InlineData("Grade: 10/10", 1.0)]
    [InlineData("I'd say 7.5 out of 10", 0.75)]
    [InlineData("eleven", null)]
    [InlineData("42", null)]
    public void ParseJudge_FirstGradeFromZeroToTen(string reply, double? score) =>
        Assert.Equal(score, AnswerScoring.ParseJudge(reply));

    [Fact]
    public void JudgePrompt_NamesRubricQuestionReferenceAndAnswer()
    {
        var prompt = AnswerScoring.JudgePrompt("label must be one word", "Triage: server down", "urgent", "URGENT");
        Assert.Contains("Rubric: label must be one word", prompt, StringComparison.Ordinal);
        Assert.Contains("Question: Triage: server down", prompt, StringComparison.Ordinal);
        Assert.Contains("Reference answer: urgent", prompt, StringComparison.Ordinal);
        Assert.Contains("Answer to grade: URGENT", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPattern_Invalid_SaysWhy() => Assert.NotNull(AnswerScoring.CheckPattern("(unclosed"));
}
