using System.Globalization;

namespace Yardmaster.Executors.Process;

/// <summary>What identifies a process across pid reuse: its start time (<c>/proc/&lt;pid&gt;/stat</c> field 22) and the boot.</summary>
internal static class ProcStat
{
    private static readonly Lazy<string> s_bootId = new(() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim());

    /// <summary>This boot's id (<c>/proc/sys/kernel/random/boot_id</c>).</summary>
    public static string BootId => s_bootId.Value;

    /// <summary>The start time of <paramref name="pid"/> in clock ticks after boot; null when there is no such process.</summary>
    public static long? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
        // That is field 3 (state), so field 22 is the 20th word after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }
}
