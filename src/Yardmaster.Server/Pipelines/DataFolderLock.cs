using System.Globalization;
using System.Text.Json;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// The exclusive lock of a data folder (<c>scheduler.lock</c>, one scheduler per store) and, beside it,
/// <c>scheduler.owner</c>: the holder's pid and, once it listens, its URL, so that a refused second scheduler can
/// say who holds the folder. The lock is an <c>flock</c>: the kernel releases it when the holder dies, and an
/// owner file left behind names a dead pid, which is ignored.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    private const string LockName = "scheduler.lock";
    private const string OwnerName = "scheduler.owner";

    private readonly FileStream _lock;
    private readonly string _ownerPath;

    private DataFolderLock(FileStream @lock, string ownerPath)
    {
        _lock = @lock;
        _ownerPath = ownerPath;
    }

    /// <summary>Takes the lock of <paramref name="dataDirectory"/> (creating it) and records this process as its owner; else says who holds it.</summary>
    public static (DataFolderLock? Lock, string? Error) Take(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        FileStream @lock;
        try
        {
            // FileShare.None is an exclusive flock on Unix: released by the kernel even when the holder is killed.
            @lock = new FileStream(Path.Combine(dataDirectory, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return (null, HeldMessage(dataDirectory));
        }

        var taken = new DataFolderLock(@lock, Path.Combine(dataDirectory, OwnerName));
        taken.WriteOwner(null);
        return (taken, null);
    }

    /// <summary>Why <paramref name="dataDirectory"/> cannot be used now (another scheduler holds it), or null when it is free. Takes nothing.</summary>
    public static string? InUse(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, LockName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
            return null;
        }
        catch (IOException)
        {
            return HeldMessage(dataDirectory);
        }
        catch (UnauthorizedAccessException)
        {
            return null; // not ours to judge here; opening the folder for real reports it
        }
    }

    /// <summary>Records the URL this scheduler's server listens on, for the message a second scheduler gets.</summary>
    public void RecordUrl(Uri url) => WriteOwner(url);

    /// <summary>Forgets the owner, then releases the lock (in that order, so a next holder's owner file is never removed).</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_ownerPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A stale owner file names a dead pid and is ignored.
        }

        _lock.Dispose();
    }

    private void WriteOwner(Uri? url)
    {
        try
        {
            var temp = _ownerPath + ".tmp";
            using (var file = File.Create(temp))
            using (var json = new Utf8JsonWriter(file))
            {
                json.WriteStartObject();
                json.WriteNumber("pid", Environment.ProcessId);
                if (url is not null)
                {
                    json.WriteString("url", url.AbsoluteUri.TrimEnd('/'));
                }

                json.WriteEndObject();
            }

            File.Move(temp, _ownerPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The owner file only improves a message; the lock is what counts.
        }
    }

    private static string HeldMessage(string dataDirectory)
    {
        var (pid, url) = ReadOwner(Path.Combine(dataDirectory, OwnerName));
        var who = pid is not { } p ? "its pid is unknown"
            : url is not null ? $"'yard serve' (pid {p.ToString(CultureInfo.InvariantCulture)}) at {url}"
            : $"{Command(p)} (pid {p.ToString(CultureInfo.InvariantCulture)})";
        var advice = url is not null
            ? $"send pipelines to it with --server {url}, stop it, or use another --data folder"
            : "wait for it to end or stop it, or use another --data folder (a 'yard serve' there takes pipelines with --server URL)";
        return $"another Yardmaster scheduler is using {dataDirectory}: {who}; {advice}";
    }

    /// <summary>The pid and URL of the owner file, when it names a live process.</summary>
    private static (int? Pid, string? Url) ReadOwner(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var pid = root.GetProperty("pid").GetInt32();
            if (!Alive(pid))
            {
                return (null, null);
            }

            return (pid, root.TryGetProperty("url", out var url) ? url.GetString() : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return (null, null);
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>"'yard run'" from the holder's command line on Linux (only the subcommand: the rest may hold keys), else "a process".</summary>
    private static string Command(int pid)
    {
        try
        {
            var args = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0');
            var yard = Array.FindIndex(args, a => Path.GetFileName(a) is "yard" or "yard.dll");
            return yard >= 0 && yard + 1 < args.Length && args[yard + 1].Length > 0 && !args[yard + 1].StartsWith('-')
                ? $"'yard {args[yard + 1]}'"
                : "a process";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "a process";
        }
    }
}
