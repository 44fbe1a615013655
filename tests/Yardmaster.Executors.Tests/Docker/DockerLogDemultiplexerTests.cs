using System.Text;
using Yardmaster.Executors.Docker;

namespace Yardmaster.Executors.Tests.Docker;

public sealed class DockerLogDemultiplexerTests
{
    [Fact]
    public async Task CopyAsync_StdoutAndStderrFrames_AreWrittenInOrderWithoutHeaders()
    {
        using var input = new MemoryStream([.. Frame(1, "out one\n"), .. Frame(2, "err\n"), .. Frame(1, "out two\n")]);
        using var output = new MemoryStream();

        await DockerLogDemultiplexer.CopyAsync(input, output, TestContext.Current.CancellationToken);

        Assert.Equal("out one\nerr\nout two\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task CopyAsync_TruncatedLastFrame_KeepsWhatArrived()
    {
        var truncated = Frame(1, "complete\n").Concat(Frame(1, "cut short")[..12]).ToArray();
        using var input = new MemoryStream(truncated);
        using var output = new MemoryStream();

        await DockerLogDemultiplexer.CopyAsync(input, output, TestContext.Current.CancellationToken);

        Assert.Equal("complete\ncut ", Encoding.UTF8.GetString(output.ToArray()));
    }

    private static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new byte[8 + payload.Length];
        frame[0] = stream;
        frame[4] = (byte)(payload.Length >> 24);
        frame[5] = (byte)(payload.Length >> 16);
        frame[6] = (byte)(payload.Length >> 8);
        frame[7] = (byte)payload.Length;
        payload.CopyTo(frame, 8);
        return frame;
    }
}
