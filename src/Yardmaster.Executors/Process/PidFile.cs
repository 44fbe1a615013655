using System.Globalization;

namespace Yardmaster.Executors.Process;

/// <summary>
/// The attempt directory's record of the wrapper process (<c>pid</c>): enough to find it again after the scheduler
/// restarted and to tell it from a later process given the same pid. One line <c>&lt;pid&gt; &lt;start&gt; &lt;boot id&gt;</c>,
/// then the attempt's cgroup directory or an empty line.
/// </summary>
/// <param name="Pid">The wrapper's pid, which is also its process group id.</param>
/// <param name="StartTime">Its start time in clock ticks after boot.</param>
/// <param name="BootId">The boot it started in.</param>
/// <param name="Cgroup">The attempt's memory cgroup directory; null when it runs without one.</param>
internal sealed record PidFile(int Pid, long StartTime, string BootId, string? Cgroup)
{
    /// <summary>The pid file's name in the attempt directory.</summary>
    public const string FileName = "pid";

    /// <summary>The name of the file the wrapper writes the command's exit status to.</summary>
    public const string StatusFileName = "status";

    /// <summary>
    /// Writes it in place (one file, no rename: a step costs one inode less). A reader that finds it cut short by a
    /// crash reads null and falls back to finding the process by its environment (<see cref="ProcScan"/>).
    /// </summary>
    public void Write(string attemptDirectory)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Pid} {StartTime} {BootId}\n{Cgroup}\n");
        File.WriteAllText(Path.Combine(attemptDirectory, FileName), text);
    }

    /// <summary>Reads it; null when it is absent or unreadable.</summary>
    public static PidFile? TryRead(string attemptDirectory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(attemptDirectory, FileName));
        }
        catch (IOException)
        {
            return null;
        }

        var words = lines.Length > 0 ? lines[0].Split(' ') : [];
        return words.Length == 3
            && int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new PidFile(pid, start, words[2], lines.Length > 1 && lines[1].Length > 0 ? lines[1] : null)
            : null;
    }

    /// <summary>The exit status the wrapper recorded in <paramref name="attemptDirectory"/>; null when none (yet).</summary>
    public static int? TryReadStatus(string attemptDirectory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(attemptDirectory, StatusFileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
