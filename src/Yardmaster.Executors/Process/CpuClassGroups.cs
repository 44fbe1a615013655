using System.Globalization;
using Yardmaster.Core;

namespace Yardmaster.Executors.Process;

/// <summary>
/// One CPU cgroup per priority class, beside the scheduler's own threads (<c>yardmaster-batch</c>, … next to the cgroup the
/// scheduler runs in), whose weight follows the class: a step joins its class's group when it starts. The kernel then slices
/// the cores between the scheduler (its serving threads, at the default weight) and each class of steps in proportion to
/// their weights, so that online work keeps the cores it needs while no step is starved: a class alone on an idle machine
/// still gets every core (the scheduler's fair share is work-conserving).
/// </summary>
/// <remarks>
/// Weights, as a share of one default-weight thread group (cgroup v1 <c>cpu.shares</c> 1024, v2 <c>cpu.weight</c> 100):
/// critical 1, high 1/2, normal 1/4, low 1/8, batch 1/16. Groups are created once and kept (they hold no state but their
/// weight). Thread-safe (immutable).
/// </remarks>
/// <param name="Directory">The folder the class groups are made in (the scheduler's own cgroup in the cpu hierarchy).</param>
/// <param name="IsV2">True for the unified hierarchy (<c>cpu.weight</c>), false for v1 (<c>cpu.shares</c>).</param>
internal sealed record CpuClassGroups(string Directory, bool IsV2)
{
    /// <summary>A class's group folder.</summary>
    public string GroupOf(PriorityClass priority) => Path.Combine(Directory, "yardmaster-" + priority.Name());

    /// <summary>The file a process writes its pid to, to join the group of <paramref name="priority"/>.</summary>
    public string ProcsFile(PriorityClass priority) => Path.Combine(GroupOf(priority), "cgroup.procs");

    /// <summary>cgroup v1 <c>cpu.shares</c> of a class (a default thread group has 1024).</summary>
    public static int Shares(PriorityClass priority) => 1024 >> (int)priority;

    /// <summary>cgroup v2 <c>cpu.weight</c> of a class (a default group has 100).</summary>
    public static int Weight(PriorityClass priority) => Math.Max(1, 100 >> (int)priority);

    /// <summary>
    /// Finds the cpu controller of the scheduler's own cgroup (v1 first, then v2) and makes the five class groups beside it
    /// with their weights; null when there is no cpu controller or the groups cannot be made or weighted (then steps run at
    /// the default weight).
    /// </summary>
    public static CpuClassGroups? Detect()
    {
        try
        {
            var own = File.ReadAllLines("/proc/self/cgroup");
            var mounts = File.ReadAllLines("/proc/self/mountinfo");
            return (CgroupRoot.Candidate(own, mounts, v2: false, "cpu") is { } v1 ? Make(Parent(v1), isV2: false) : null)
                ?? (CgroupRoot.Candidate(own, mounts, v2: true, "cpu") is { } v2 ? Make(Parent(v2), isV2: true) : null);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Parent(string candidate) => Path.GetDirectoryName(candidate) ?? "/";

    private static CpuClassGroups? Make(string directory, bool isV2)
    {
        var groups = new CpuClassGroups(directory, isV2);
        try
        {
            if (isV2)
            {
                // The groups get a cpu.weight only when the controller is enabled for this folder's children.
                var control = Path.Combine(directory, "cgroup.subtree_control");
                if (!File.ReadAllText(control).Split(' ', '\n').Contains("cpu"))
                {
                    File.WriteAllText(control, "+cpu");
                }
            }

            foreach (var priority in PriorityClasses.All)
            {
                var group = groups.GroupOf(priority);
                System.IO.Directory.CreateDirectory(group);
                File.WriteAllText(Path.Combine(group, isV2 ? "cpu.weight" : "cpu.shares"),
                    (isV2 ? Weight(priority) : Shares(priority)).ToString(CultureInfo.InvariantCulture));
            }

            return groups;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
