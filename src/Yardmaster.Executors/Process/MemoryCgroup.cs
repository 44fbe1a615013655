using System.Globalization;

namespace Yardmaster.Executors.Process;

/// <summary>
/// One attempt's memory cgroup: created with its limit before the attempt starts (swap included, so the
/// limit cannot be dodged by swapping), asked after it ended whether the kernel OOM-killed something in it,
/// then emptied and removed. Thread-safe (the kernel serializes the files).
/// </summary>
/// <param name="Path">The cgroup directory.</param>
/// <param name="IsV2">True for the unified hierarchy.</param>
internal sealed record MemoryCgroup(string Path, bool IsV2)
{
    /// <summary>The file a process writes its pid to, to move into this cgroup.</summary>
    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    /// <summary>Creates <c>&lt;root&gt;/&lt;attemptId&gt;</c> limited to <paramref name="bytes"/>. Throws IOException when the kernel refuses.</summary>
    public static MemoryCgroup Create(CgroupRoot root, string attemptId, long bytes)
    {
        var cgroup = new MemoryCgroup(System.IO.Path.Combine(root.Path, attemptId), root.IsV2);
        Directory.CreateDirectory(cgroup.Path);
        var limit = bytes.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (root.IsV2)
            {
                cgroup.WriteFile("memory.max", limit);
                cgroup.WriteIfPresent("memory.swap.max", "0");
            }
            else
            {
                cgroup.WriteFile("memory.limit_in_bytes", limit);
                cgroup.WriteIfPresent("memory.memsw.limit_in_bytes", limit);
            }
        }
        catch (IOException)
        {
            Directory.Delete(cgroup.Path);
            throw;
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

    private void WriteFile(string name, string value) => File.WriteAllText(System.IO.Path.Combine(Path, name), value);

    private void WriteIfPresent(string name, string value)
    {
        if (File.Exists(System.IO.Path.Combine(Path, name)))
        {
            WriteFile(name, value);
        }
    }
}
