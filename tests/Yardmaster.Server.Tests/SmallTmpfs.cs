using System.Diagnostics;
using System.Globalization;

namespace Yardmaster.Server.Tests;

/// <summary>
/// A tmpfs of a few MiB mounted on a fresh folder, to run something on a disk that fills up: <see cref="Fill"/> writes a
/// filler file until the disk is full, <see cref="Free"/> deletes it. Mounting needs root (CI runs as root here); when it
/// fails the test fails saying so, it is never skipped. Unmounted (lazily, so a file still open cannot keep it) on dispose.
/// </summary>
internal sealed class SmallTmpfs : IDisposable
{
    private readonly TempDirectory _mountPoint = new();

    private SmallTmpfs()
    {
    }

    /// <summary>The mounted folder.</summary>
    public string Path => _mountPoint.Path;

    private string Filler => System.IO.Path.Combine(Path, "filler");

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> (rounded up to pages) on a new temp folder.</summary>
    public static SmallTmpfs Mount(long bytes)
    {
        var tmpfs = new SmallTmpfs();
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", "size=" + bytes.ToString(CultureInfo.InvariantCulture), "tmpfs", tmpfs.Path);
        if (code != 0)
        {
            tmpfs._mountPoint.Dispose();
            Assert.Fail($"this test needs a small tmpfs and could not mount one on {tmpfs.Path} (mount exited {code}: {output.Trim()}); run it as root, as CI does");
        }

        return tmpfs;
    }

    /// <summary>Writes the filler file until the disk has no block left (ENOSPC); returns how many bytes it took.</summary>
    public long Fill()
    {
        var chunk = new byte[16 * 1024];
        long written = 0;
        using var file = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        try
        {
            while (true)
            {
                file.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            // Full. A partial chunk may not have landed; fill what is left of the last page one byte at a time.
        }

        try
        {
            while (true)
            {
                file.WriteByte(0);
                written++;
            }
        }
        catch (IOException)
        {
            return written;
        }
    }

    /// <summary>Deletes the filler file: the space comes back.</summary>
    public void Free() => File.Delete(Filler);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        _mountPoint.Dispose();
    }

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
