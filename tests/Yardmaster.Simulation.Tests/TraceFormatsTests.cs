using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tests;

public sealed class TraceFormatsTests
{
    [Fact]
    public void Parse_EveryName_RoundTrips()
    {
        foreach (var name in TraceFormats.Names)
        {
            Assert.Equal(name, TraceFormats.Name(TraceFormats.Parse(name, out _)!.Value));
        }
    }

    [Fact]
    public void Parse_UnknownName_ListsTheKnownOnes()
    {
        Assert.Null(TraceFormats.Parse("philly", out var error));
        Assert.Equal("unknown trace format 'philly'; known: azure-llm, mooncake, alibaba-genai, alibaba-gpu, yard", error);
    }

    [Fact]
    public void Problems_NotStrict_CountsAndKeepsTheFirstByLine()
    {
        var problems = new TraceProblems("t.csv", strict: false);
        for (var line = 2; line < 2 + TraceProblems.Kept + 3; line++)
        {
            problems.Add(line, "bad");
        }

        Assert.Equal(TraceProblems.Kept + 3, problems.Count);
        var lines = problems.Lines().ToList();
        Assert.Equal("t.csv:2: bad", lines[0]);
        Assert.Equal("t.csv: 3 more malformed rows", lines[^1]);
    }

    [Fact]
    public void Problems_Strict_TheFirstIsFatalWithFileAndLine()
    {
        var problems = new TraceProblems("t.csv", strict: true);
        var e = Assert.Throws<TraceFormatException>(() => problems.Add(7, "ContextTokens 'x' is not a whole number"));
        Assert.Equal("t.csv:7: ContextTokens 'x' is not a whole number", e.Message);
    }
}
