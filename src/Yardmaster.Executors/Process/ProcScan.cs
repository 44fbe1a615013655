using System.Globalization;
using System.Text;

namespace Yardmaster.Executors.Process;

/// <summary>
/// Finds an attempt's wrapper among all processes by the <c>YARD_ATTEMPT_ID</c> in its environment: for the
/// scheduler killed between <c>posix_spawn</c> and writing the pid file, when only the process itself knows it
/// is the attempt. Only process-group leaders count (the wrapper leads its group; what it started does not).
/// </summary>
internal static class ProcScan
{
    /// <summary>The environment variable every wrapper is started with.</summary>
    public const string Variable = "YARD_ATTEMPT_ID";

    /// <summary>The pid of the live wrapper of <paramref name="attemptId"/>; null when none runs.</summary>
    public static int? FindWrapper(string attemptId)
    {
        var wanted = Encoding.UTF8.GetBytes(Variable + "=" + attemptId + "\0");
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !IsGroupLeader(pid))
            {
                continue;
            }

            if (HasEntry(pid, wanted))
            {
                return pid;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="pid"/> runs with <c>YARD_ATTEMPT_ID=<paramref name="attemptId"/></c>.</summary>
    public static bool Runs(int pid, string attemptId) => HasEntry(pid, Encoding.UTF8.GetBytes(Variable + "=" + attemptId + "\0"));

    private static bool HasEntry(int pid, byte[] entry)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // Entries are NUL-terminated; match a whole entry (at the start, or right after a NUL).
        for (var at = environ.AsSpan().IndexOf(entry); at >= 0;)
        {
            var absolute = environ.Length - environ.AsSpan(at).Length;
            if (absolute == 0 || environ[absolute - 1] == 0)
            {
                return true;
            }

            var next = environ.AsSpan(absolute + 1).IndexOf(entry);
            at = next < 0 ? -1 : absolute + 1 + next;
        }

        return false;
    }

    private static bool IsGroupLeader(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // Field 5 (pgrp) is the third word after the command name's last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 4);
        return fields.Length > 2 && fields[2] == pid.ToString(CultureInfo.InvariantCulture);
    }
}
