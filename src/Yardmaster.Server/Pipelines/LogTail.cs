namespace Yardmaster.Server.Pipelines;

/// <summary>Copies a log file to a stream; when following, keeps copying what is appended until the writer is done.</summary>
public static class LogTail
{
    /// <summary>How often a followed file is checked for more.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Copies <paramref name="path"/> (nothing when it does not exist yet) to <paramref name="output"/>. With
    /// <paramref name="stillWriting"/>, copies what is appended until it returns false, then the rest.
    /// </summary>
    public static async Task CopyAsync(string path, Stream output, Func<CancellationToken, Task<bool>>? stillWriting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        long position = 0;
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var more = stillWriting is not null && await stillWriting(cancellationToken).ConfigureAwait(false);
            if (File.Exists(path))
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                file.Position = Math.Min(position, file.Length);
                int read;
                while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    position += read;
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!more)
            {
                return;
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }
}
