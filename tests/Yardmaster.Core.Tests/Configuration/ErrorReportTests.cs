using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Tests.Configuration;

public sealed class ErrorReportTests
{
    [Theory]
    [InlineData(1, "1 error")]
    [InlineData(5, "5 errors")]
    [InlineData(0, "0 errors")]
    public void Count_Total_InWords(int total, string expected) => Assert.Equal(expected, ErrorReport.Count(total));

    [Theory]
    [InlineData(100, 100, null)]
    [InlineData(100, 101, "and 1 more error")]
    [InlineData(100, 16_000, "and 15900 more errors")]
    public void More_PastTheShown_CountsTheRest(int shown, int total, string? expected) => Assert.Equal(expected, ErrorReport.More(shown, total));

    [Fact]
    public void Shown_ManyErrors_TheFirstHundredInOrder()
    {
        var errors = Enumerable.Range(0, 250).ToList();

        Assert.Equal(Enumerable.Range(0, ErrorReport.MaxShown), ErrorReport.Shown(errors));
    }
}
