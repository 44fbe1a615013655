using Yardmaster.Server.Ensembles;

namespace Yardmaster.Server.Tests.Ensembles;

/// <summary>The vote's rules, pure: normalised text, majority, ties by member order.</summary>
public sealed class EnsembleVoteTests
{
    [Theory]
    [InlineData("  Hello   World \n", "hello world")]
    [InlineData("YES", "yes")]
    [InlineData("a\t\tb\r\nc", "a b c")]
    [InlineData("", "")]
    public void Normalise_Text_TrimmedCaseFoldedWhitespaceCollapsed(string text, string expected) =>
        Assert.Equal(expected, AnswerText.Normalise(text));

    [Theory]
    [InlineData(new[] { "Yes", " yes ", "No" }, 0, 2)]
    [InlineData(new[] { "No", "Yes", "yes" }, 1, 2)]
    [InlineData(new[] { "No", "Yes" }, 0, 1)]
    [InlineData(new[] { "a", "b", "b", "a" }, 0, 2)]
    [InlineData(new[] { "x" }, 0, 1)]
    public void Choose_Answers_MajorityThenEarliestMember(string[] texts, int chosen, int votes) =>
        Assert.Equal((chosen, votes), EnsembleVote.Choose(texts));

    [Fact]
    public void Choose_None_NoChoice() => Assert.Equal((-1, 0), EnsembleVote.Choose([]));
}
