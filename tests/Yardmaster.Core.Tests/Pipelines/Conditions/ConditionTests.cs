using System.Globalization;
using System.Text.Json;
using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Pipelines.Conditions;

namespace Yardmaster.Core.Tests.Pipelines.Conditions;

/// <summary>The <c>when:</c> language: what holds, what does not, and where a syntax error is.</summary>
public sealed class ConditionTests
{
    private const string Outputs = """{"score": 0.75, "label": "spam", "ok": true, "none": null, "nested": {"n": 3, "list": [1, "two", {"x": 5}]}, "zero": 0, "empty": ""}""";

    [Theory]
    [InlineData("steps.eval.outputs.score < 0.8", true)]
    [InlineData("steps.eval.outputs.score >= 0.8", false)]
    [InlineData("steps.eval.outputs.score == 0.75", true)]
    [InlineData("steps.eval.outputs.score != 0.75", false)]
    [InlineData("steps.eval.outputs.score > -1", true)]
    [InlineData("steps.eval.outputs.score <= 7.5e-1", true)]
    [InlineData("steps.eval.outputs.label == 'spam'", true)]
    [InlineData("steps.eval.outputs.label == \"spam\"", true)]
    [InlineData("steps.eval.outputs.label < 'spin'", true)]
    [InlineData("steps.eval.outputs.ok", true)]
    [InlineData("steps.eval.outputs.ok == true", true)]
    [InlineData("not steps.eval.outputs.ok", false)]
    [InlineData("!steps.eval.outputs.ok", false)]
    [InlineData("steps.eval.outputs.nested.n == 3", true)]
    [InlineData("steps.eval.outputs.nested.list[0] == 1", true)]
    [InlineData("steps.eval.outputs.nested.list[1] == 'two'", true)]
    [InlineData("steps.eval.outputs.nested.list[2].x > 4", true)]
    [InlineData("steps.eval.outputs.nested['n'] == 3", true)]
    [InlineData("steps.eval.outputs.nested.list[9] == null", true)]
    [InlineData("steps.eval.state == 'succeeded'", true)]
    [InlineData("steps.eval.state != 'succeeded'", false)]
    [InlineData("steps.eval.outputs.score < 0.8 and steps.eval.outputs.label == 'ham'", false)]
    [InlineData("steps.eval.outputs.score < 0.8 && steps.eval.outputs.label == 'spam'", true)]
    [InlineData("steps.eval.outputs.score > 0.8 or steps.eval.outputs.label == 'spam'", true)]
    [InlineData("steps.eval.outputs.score > 0.8 || steps.eval.outputs.label == 'ham'", false)]
    [InlineData("not (steps.eval.outputs.score > 0.8 or steps.eval.outputs.ok == false)", true)]
    [InlineData("true and false or true", true)]
    [InlineData("true and (false or false)", false)]
    [InlineData("steps.eval.outputs.zero", false)]
    [InlineData("steps.eval.outputs.empty", false)]
    [InlineData("steps.eval.outputs.nested", true)]
    [InlineData("'a' == 'a'", true)]
    [InlineData("1 == '1'", false)]
    [InlineData("1 != '1'", true)]
    [InlineData("'10' < 9", false)]
    public void Evaluate_Expression_AsDocumented(string text, bool expected)
    {
        Assert.Equal(expected, Parse(text).Evaluate(Eval));
    }

    [Theory]
    [InlineData("steps.eval.outputs.missing == null", true)]
    [InlineData("steps.eval.outputs.missing != null", false)]
    [InlineData("steps.eval.outputs.missing", false)]
    [InlineData("steps.eval.outputs.missing < 1", false)]
    [InlineData("steps.eval.outputs.missing >= 1", false)]
    [InlineData("steps.eval.outputs.none > 0", false)]
    [InlineData("steps.eval.outputs.none <= 0", false)]
    [InlineData("steps.eval.outputs.none == null", true)]
    [InlineData("steps.eval.outputs.score.deeper == null", true)]
    [InlineData("steps.other.outputs.x == null", true)]
    [InlineData("null == null", true)]
    [InlineData("null < null", false)]
    public void Evaluate_MissingKeyOrNull_NullComparesOnlyWithEqualityOperators(string text, bool expected)
    {
        Assert.Equal(expected, Parse(text).Evaluate(Eval));
    }

    [Theory]
    [InlineData("", 1, "the expression is empty")]
    [InlineData("steps.eval.outputs.score <", 27, "expected a value")]
    [InlineData("steps.eval.outputs.score < 0.8 and", 35, "expected a value")]
    [InlineData("steps.eval.output.score < 1", 12, "expected outputs or state after 'steps.eval.', found 'output'")]
    [InlineData("steps.eval.outputs.score < 0.8)", 31, "unexpected ')'")]
    [InlineData("(steps.eval.state == 'x'", 25, "expected ')'")]
    [InlineData("steps.eval.outputs.label == 'spam", 29, "the string is not closed")]
    [InlineData("score < 1", 1, "unknown name 'score'")]
    [InlineData("1 < 2 < 3", 7, "comparisons do not chain")]
    [InlineData("steps.eval.outputs.list[x] == 1", 25, "expected an index")]
    [InlineData("steps.", 7, "expected a step id")]
    [InlineData("1.2.3 == 1", 1, "'1.2.3' is not a number")]
    public void TryParse_SyntaxError_NamesTheColumn(string text, int column, string message)
    {
        Assert.False(Condition.TryParse(text, out var condition, out var error));
        Assert.Null(condition);
        Assert.NotNull(error);
        Assert.Equal(column, error.Column);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_ReferencesInTheExpression_ListedWithThoseReadForState()
    {
        var condition = Parse("steps.a.outputs.x > 1 or (steps.b-2.state == 'skipped' and not steps.c.outputs.ok)");

        Assert.Equal(["a", "b-2", "c"], condition.Steps.Order(StringComparer.Ordinal));
        Assert.Equal(["b-2"], condition.StateSteps);
    }

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 200)];

    /// <summary>Over random numbers, strings and nulls: exactly one of &lt;, ==, &gt; holds for two numbers or two strings, none of them ordered for mixed types, and not flips every comparison's truth.</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Evaluate_RandomOperands_ComparisonsAreATotalOrderWithinATypeAndNotNegates(int seed)
    {
        var random = new Random(seed);
        var a = Operand(random);
        var b = Operand(random);
        var outputs = JsonDocument.Parse($$"""{"a": {{a}}, "b": {{b}}}""").RootElement.Clone();
        StepView? Lookup(string id) => new StepView(StepState.Succeeded, outputs);
        bool Holds(string op) => Parse($"steps.s.outputs.a {op} steps.s.outputs.b").Evaluate(Lookup);

        var sameType = (a[0] == '"') == (b[0] == '"') && a != "null" && b != "null";
        var ordered = new[] { Holds("<"), Holds("=="), Holds(">") }.Count(x => x);
        Assert.Equal(sameType ? 1 : (a == b ? 1 : 0), ordered);
        // Within a type <= is < or ==; across types (null included) nothing is ordered, not even null <= null.
        Assert.Equal(sameType && (Holds("<") || Holds("==")), Holds("<="));
        Assert.Equal(sameType && (Holds(">") || Holds("==")), Holds(">="));
        Assert.NotEqual(Holds("=="), Holds("!="));
        foreach (var op in new[] { "<", "<=", "==", "!=", ">", ">=" })
        {
            Assert.Equal(!Holds(op), Parse($"not (steps.s.outputs.a {op} steps.s.outputs.b)").Evaluate(Lookup));
        }
    }

    private static string Operand(Random random) => random.Next(5) switch
    {
        0 => "null",
        1 or 2 => (random.Next(-3, 4) / 2.0).ToString(CultureInfo.InvariantCulture),
        _ => "\"" + (char)('a' + random.Next(3)) + "\"",
    };

    private static StepView? Eval(string id) => id == "eval" ? new StepView(StepState.Succeeded, JsonDocument.Parse(Outputs).RootElement.Clone()) : null;

    private static Condition Parse(string text)
    {
        Assert.True(Condition.TryParse(text, out var condition, out var error), error?.ToString());
        return condition!;
    }
}
