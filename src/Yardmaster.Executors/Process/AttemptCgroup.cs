using System.Globalization;

namespace Yardmaster.Executors.Process;

/// <summary>
/// One attempt's cgroup, created with its limits before the attempt starts, asked after it ended whether the kernel
/// OOM-killed something in it, then emptied and removed. In the memory hierarchy (v1) or the unified one (v2) it holds the
/// memory limit (swap included, so the limit cannot be dodged by swapping) and, on v2, the CPU weight and quota too; in the
/// v1 cpu hierarchy it holds a CPU quota (<see cref="CreateCpuQuota"/>). Thread-safe (the kernel serializes the files).
/// </summary>
/// <param name="Path">The cgroup directory.</param>
/// <param name="IsV2">True for the unified hierarchy.</param>
internal sealed record AttemptCgroup(string Path, bool IsV2)
{
    /// <summary>The CFS period quotas are given against: 100 ms, the kernel's default.</summary>
    public const long PeriodMicros = 100_000;

    /// <summary>The file a process writes its pid to, to move into this cgroup.</summary>
    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    /// <summary>The CFS quota of <paramref name="millis"/> millicores in each <see cref="PeriodMicros"/>.</summary>
    public static long QuotaMicros(long millis) => millis * PeriodMicros / 1000;

    /// <summary>
    /// Creates <c>&lt;root&gt;/&lt;attemptId&gt;</c>, memory limited to <paramref name="bytes"/> (0: not limited); on v2 also
    /// weighted by <paramref name="cpuWeight"/> (<c>cpu.weight</c>; null for the default) and capped at
    /// <paramref name="cpuLimitMillis"/> (<c>cpu.max</c>; 0 for no cap). Throws IOException when the kernel refuses, or
    /// when a cap is asked of a v2 root without the cpu controller.
    /// </summary>
    public static AttemptCgroup Create(CgroupRoot root, string attemptId, long bytes, int? cpuWeight = null, long cpuLimitMillis = 0)
    {
        var cgroup = new AttemptCgroup(System.IO.Path.Combine(root.Path, attemptId), root.IsV2);
        Directory.CreateDirectory(cgroup.Path);
        var limit = bytes.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (root.IsV2)
            {
                if (bytes > 0)
                {
                    cgroup.WriteFile("memory.max", limit);
                    cgroup.WriteIfPresent("memory.swap.max", "0");
                }

                if (cpuWeight is { } weight)
                {
                    cgroup.WriteIfPresent("cpu.weight", weight.ToString(CultureInfo.InvariantCulture));
                }

                if (cpuLimitMillis > 0)
                {
                    if (!File.Exists(System.IO.Path.Combine(cgroup.Path, "cpu.max")))
                    {
                        throw new IOException($"the cpu controller is not enabled in '{root.Path}' (cgroup.subtree_control), so no quota can be set");
                    }

                    cgroup.WriteFile("cpu.max", string.Create(CultureInfo.InvariantCulture, $"{QuotaMicros(cpuLimitMillis)} {PeriodMicros}"));
                }
            }
            else if (bytes > 0)
            {
                cgroup.WriteFile("memory.limit_in_bytes", limit);
                cgroup.WriteIfPresent("memory.memsw.limit_in_bytes", limit);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Directory.Delete(cgroup.Path);
            throw e as IOException ?? new IOException(e.Message, e);
        }

        return cgroup;
    }

    /// <summary>
    /// Creates <paramref name="path"/> in the v1 cpu hierarchy with a CFS quota of <paramref name="millis"/> millicores
    /// (<c>cpu.cfs_quota_us</c> in each <c>cpu.cfs_period_us</c>). Throws IOException when the kernel refuses.
    /// </summary>
    public static AttemptCgroup CreateCpuQuota(string path, long millis)
    {
        var cgroup = new AttemptCgroup(path, IsV2: false);
        Directory.CreateDirectory(path);
        try
        {
            cgroup.WriteFile("cpu.cfs_period_us", PeriodMicros.ToString(CultureInfo.InvariantCulture));
            cgroup.WriteFile("cpu.cfs_quota_us", QuotaMicros(millis).ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Directory.Delete(path);
            throw new IOException(e.Message, e);
        }

        return cgroup;
    }

    /// <summary>True when the kernel's OOM killer killed a process of this cgroup (v1 <c>memory.oom_control</c>, v2 <c>memory.events</c>).</summary>
    public bool WasOomKilled()
    {
        try
        {
            var text = File.ReadAllText(System.IO.Path.Combine(Path, IsV2 ? "memory.events" : "memory.oom_control"));
            return text.Split('\n').Select(line => line.Split(' ')).Any(f => f.Length == 2 && f[0] == "oom_kill"
                && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kills) && kills > 0);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// How its CPU quota held it back, from <c>cpu.stat</c> and the quota itself, for the step's log: "cpu_limit 100m held the
    /// step back in 27 of 31 periods of 100 ms (2.66 s in all)"; null when it has no quota or ran no period under one.
    /// </summary>
    public string? Throttling()
    {
        try
        {
            var stat = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var line in ReadFile("cpu.stat").Split('\n'))
            {
                if (line.Split(' ') is [var key, var text] && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    stat[key] = value;
                }
            }

            // v2: "<quota> <period>" in cpu.max; v1: the two in files of their own. "max" or -1 for no quota.
            var quota = (IsV2 ? ReadFile("cpu.max") : ReadFile("cpu.cfs_quota_us") + " " + ReadFile("cpu.cfs_period_us")).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (quota is not [var q, var p, ..] || !long.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
                || !long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var period) || period <= 0)
            {
                return null;
            }

            var periods = stat.GetValueOrDefault("nr_periods");
            if (periods == 0)
            {
                return null;
            }

            var held = IsV2 ? stat.GetValueOrDefault("throttled_usec") / 1e6 : stat.GetValueOrDefault("throttled_time") / 1e9;
            return string.Create(CultureInfo.InvariantCulture,
                $"cpu_limit {Core.Units.CpuAmounts.Format(micros * 1000 / period)} held the step back in {stat.GetValueOrDefault("nr_throttled")} of {periods} periods of {period / 1000} ms ({held:F2} s in all)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>SIGKILLs every process in it, those that left the step's process group included. Returns how many were signalled.</summary>
    public int KillAll()
    {
        var killed = 0;
        try
        {
            foreach (var line in File.ReadAllLines(ProcsFile))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && LibC.kill(pid, LibC.SIGKILL) == 0)
                {
                    killed++;
                }
            }
        }
        catch (IOException)
        {
            // Already removed.
        }

        return killed;
    }

    /// <summary>Kills what is left in it and removes it, retrying while killed processes finish exiting. Never throws.</summary>
    public async Task RemoveAsync(TimeProvider time)
    {
        // A throttled task exits only when it next runs: lift any quota first so that what is killed goes at once.
        Uncap();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            KillAll();
            try
            {
                Directory.Delete(Path);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), time).ConfigureAwait(false);
            }
        }
    }

    private void Uncap()
    {
        try
        {
            WriteIfPresent(IsV2 ? "cpu.max" : "cpu.cfs_quota_us", IsV2 ? "max" : "-1");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or not ours to change: removal below still tries.
        }
    }

    private string ReadFile(string name) => File.ReadAllText(System.IO.Path.Combine(Path, name));

    private void WriteFile(string name, string value) => File.WriteAllText(System.IO.Path.Combine(Path, name), value);

    private void WriteIfPresent(string name, string value)
    {
        if (File.Exists(System.IO.Path.Combine(Path, name)))
        {
            WriteFile(name, value);
        }
    }
}
