namespace Yardmaster.Executors.Process;

/// <summary>The writable cgroup directory under which each memory-limited attempt gets a cgroup of its own.</summary>
/// <param name="Path">The directory, e.g. <c>/sys/fs/cgroup/memory/&lt;scheduler's cgroup&gt;/yardmaster</c>.</param>
/// <param name="IsV2">True for the unified hierarchy (<c>memory.max</c>), false for v1 (<c>memory.limit_in_bytes</c>).</param>
/// <param name="HasCpu">
/// On v2, true when the cpu controller is enabled for the attempts' cgroups too, which then carry their class's
/// <c>cpu.weight</c> and any <c>cpu.max</c>; always false on v1, where CPU has a hierarchy of its own (<see cref="CpuClassGroups"/>).
/// </param>
internal sealed record CgroupRoot(string Path, bool IsV2, bool HasCpu = false)
{
    /// <summary>
    /// Uses <paramref name="configured"/> when given, else a <c>yardmaster</c> directory inside the scheduler's own
    /// memory cgroup (v1 memory controller first, then v2), so the scheduler's own limit still covers its steps.
    /// Creates the directory; null when it cannot be created or has no memory controller.
    /// </summary>
    public static CgroupRoot? Detect(string? configured)
    {
        if (configured is not null)
        {
            return Usable(configured, File.Exists(System.IO.Path.Combine(configured, "cgroup.controllers"))
                || File.Exists(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(configured) ?? "/", "cgroup.controllers")));
        }

        try
        {
            var own = File.ReadAllLines("/proc/self/cgroup");
            var mounts = File.ReadAllLines("/proc/self/mountinfo");
            return Candidate(own, mounts, v2: false) is { } v1 ? Usable(v1, isV2: false)
                : Candidate(own, mounts, v2: true) is { } v2 ? Usable(v2, isV2: true)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The <c>yardmaster</c> folder inside the scheduler's own cgroup of <paramref name="controller"/> (v1: the hierarchy
    /// that has it; v2: the unified one), from <c>/proc/self/cgroup</c> and <c>/proc/self/mountinfo</c>; null when none.
    /// </summary>
    internal static string? Candidate(string[] ownCgroups, string[] mountInfo, bool v2, string controller = "memory")
    {
        // /proc/self/cgroup: "4:memory:/a/b" (v1) or "0::/a/b" (v2).
        var own = ownCgroups.Select(line => line.Split(':', 3))
            .FirstOrDefault(f => f.Length == 3 && (v2 ? f[0] == "0" && f[1].Length == 0 : f[1].Split(',').Contains(controller)));

        // mountinfo: "id parent dev root mountpoint options ... - fstype source superoptions".
        var mount = mountInfo.Select(line => line.Split(' '))
            .Select(f => (Fields: f, Dash: Array.IndexOf(f, "-")))
            .FirstOrDefault(m => m.Dash > 0 && m.Dash + 3 < m.Fields.Length
                && (v2 ? m.Fields[m.Dash + 1] == "cgroup2" : m.Fields[m.Dash + 1] == "cgroup" && m.Fields[m.Dash + 3].Split(',').Contains(controller)));
        if (own is null || mount.Fields is null)
        {
            return null;
        }

        var mountRoot = mount.Fields[3];
        var relative = own[2].StartsWith(mountRoot, StringComparison.Ordinal) ? own[2][mountRoot.Length..] : own[2];
        return mount.Fields[4] + "/" + relative.Trim('/') + (relative.Trim('/').Length > 0 ? "/" : "") + "yardmaster";
    }

    /// <summary>Enables the cpu controller for the attempts' cgroups (v2), best effort: false when the parent does not delegate it.</summary>
    private static bool EnableCpu(string subtreeControl)
    {
        try
        {
            if (!File.ReadAllText(subtreeControl).Split(' ', '\n').Contains("cpu"))
            {
                File.WriteAllText(subtreeControl, "+cpu");
            }

            return File.ReadAllText(subtreeControl).Split(' ', '\n').Contains("cpu");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static CgroupRoot? Usable(string path, bool isV2)
    {
        var existed = Directory.Exists(path);
        try
        {
            Directory.CreateDirectory(path);
            if (isV2)
            {
                // Children get the memory controller only when it is enabled in this directory's subtree.
                var control = System.IO.Path.Combine(path, "cgroup.subtree_control");
                if (!File.ReadAllText(control).Split(' ', '\n').Contains("memory"))
                {
                    File.WriteAllText(control, "+memory");
                }

                return new CgroupRoot(path, isV2, EnableCpu(control));
            }

            if (File.Exists(System.IO.Path.Combine(path, "memory.limit_in_bytes")))
            {
                return new CgroupRoot(path, isV2);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not usable: fall through.
        }

        if (!existed)
        {
            try
            {
                Directory.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not created, or not empty: leave it.
            }
        }

        return null;
    }
}
