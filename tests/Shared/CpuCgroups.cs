// Shared by every test project (linked into each).
namespace Yardmaster.Tests;

/// <summary>Whether this machine lets the tests' processes make cpu cgroups, as the process executor needs for CPU weights and limits.</summary>
internal static class CpuCgroups
{
    /// <summary>
    /// True where this process may make cgroups in the v1 cpu hierarchy (as <c>./test</c>, run as root on this machine, may).
    /// The v2 path (the attempt's own cgroup with <c>cpu.weight</c> and <c>cpu.max</c>) is not reachable here.
    /// </summary>
    public static bool Writable()
    {
        const string root = "/sys/fs/cgroup/cpu";
        var probe = Path.Combine(root, "yard-test-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return File.Exists(Path.Combine(root, "cpu.shares")) && File.Exists(Path.Combine(root, "cpu.cfs_quota_us"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
