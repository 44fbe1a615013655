using System.Buffers.Binary;

namespace Yardmaster.Executors.Docker;

/// <summary>
/// Reads the engine's multiplexed log stream of a container created without a TTY: frames of an 8-byte header
/// (byte 0 the stream: 1 stdout, 2 stderr; bytes 4-7 the payload length, big-endian) followed by the payload.
/// </summary>
internal static class DockerLogDemultiplexer
{
    /// <summary>
    /// Copies every payload, stdout and stderr interleaved in frame order, to <paramref name="output"/>, flushing
    /// after each frame so the log can be followed. Returns at the end of the stream (a truncated last frame is
    /// written as far as it goes).
    /// </summary>
    public static async Task CopyAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var got = await input.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            if (got < header.Length)
            {
                return;
            }

            var remaining = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            while (remaining > 0)
            {
                var read = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(remaining, (uint)buffer.Length)), cancellationToken);
                if (read == 0)
                {
                    await output.FlushAsync(cancellationToken);
                    return;
                }

                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= (uint)read;
            }

            await output.FlushAsync(cancellationToken);
        }
    }
}
