using System.Text;
using Yardmaster.Inference.Engine;

namespace Yardmaster.Inference.Tests.Engine;

public class StopTextFilterTests
{
    [Fact]
    public void Append_StopStringSplitAcrossTokens_CutsBeforeIt()
    {
        var filter = new StopTextFilter(["\nUser:"]);
        var sent = new StringBuilder();
        foreach (var piece in new[] { "Hello", " there", "\nUs", "er:", " more" })
        {
            sent.Append(filter.Append(Encoding.UTF8.GetBytes(piece)));
        }

        Assert.True(filter.Stopped);
        Assert.Equal("Hello there", sent.ToString());
    }

    [Fact]
    public void Append_PrefixOfStopThatDoesNotComplete_IsReleasedLater()
    {
        var filter = new StopTextFilter(["STOP"]);

        Assert.Equal("a", filter.Append("aST"u8));
        Assert.Equal("STa", filter.Append("a"u8));
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void Append_EmojiSplitOverBytes_EmitsOnlyWholeCharacters()
    {
        var filter = new StopTextFilter([]);
        var bytes = Encoding.UTF8.GetBytes("🚂");

        Assert.Equal(string.Empty, filter.Append(bytes.AsSpan(0, 1)));
        Assert.Equal(string.Empty, filter.Append(bytes.AsSpan(1, 2)));
        Assert.Equal("🚂", filter.Append(bytes.AsSpan(3, 1)));
    }

    [Fact]
    public void Flush_IncompleteUtf8AtEnd_BecomesReplacementCharacter()
    {
        var filter = new StopTextFilter([]);

        Assert.Equal("x", filter.Append([(byte)'x', 0xF0, 0x9F]));
        Assert.Equal("\uFFFD", filter.Flush());
    }

    [Fact]
    public void Flush_HeldBackPrefixWithoutStop_IsReleased()
    {
        var filter = new StopTextFilter(["</end>"]);

        Assert.Equal("done", filter.Append("done</e"u8));
        Assert.Equal("</e", filter.Flush());
    }
}
