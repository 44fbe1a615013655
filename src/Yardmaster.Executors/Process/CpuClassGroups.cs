using System.Globalization;
using Yardmaster.Core;

namespace Yardmaster.Executors.Process;

/// <summary>
/// One CPU cgroup per priority class inside the scheduler's own cgroup of the cpu hierarchy (<c>yardmaster-batch</c>, …, beside
/// the scheduler's threads), whose weight follows the class: a step joins its class's group when it starts. On cgroup v1 each
/// of the scheduler's threads (its serving threads among them) weighs 1024 there, and each class group as a whole its
/// <c>cpu.shares</c>, so the kernel slices the cores in favour of online work while no step is starved: a class alone on an
/// idle machine still gets every core (the fair scheduler is work-conserving).
/// </summary>
/// <remarks>
/// Weights: <see cref="Shares"/> (critical 1024, as much as one of the scheduler's busy threads, down to batch at 16).
/// Groups are created once and kept (they hold no state but their weight). A step with a hard CPU limit runs in a cgroup of
/// its own inside its class's group (<see cref="QuotaPath"/>), whose CFS quota caps it. Thread-safe (immutable).
/// </remarks>
/// <param name="Directory">The folder the class groups are made in (the scheduler's own cgroup in the v1 cpu hierarchy).</param>
/// <param name="Weighted">
/// True when the class groups were made and steps join them; false when CPU is not weighted (<c>jobs.cpu_weights: false</c>),
/// when the folder only holds the quota groups of steps with a limit, at the default weight.
/// </param>
internal sealed record CpuClassGroups(string Directory, bool Weighted = true)
{
    /// <summary>A class's group folder.</summary>
    public string GroupOf(PriorityClass priority) => Path.Combine(Directory, "yardmaster-" + priority.Name());

    /// <summary>The file a process writes its pid to, to join the group of <paramref name="priority"/>.</summary>
    public string ProcsFile(PriorityClass priority) => Path.Combine(GroupOf(priority), "cgroup.procs");

    /// <summary>The cgroup of attempt <paramref name="name"/> with a hard limit: inside its class's group, or beside the scheduler's threads when not weighted.</summary>
    public string QuotaPath(PriorityClass priority, string name) => Path.Combine(Weighted ? GroupOf(priority) : Directory, "yardmaster-step-" + name);

    /// <summary>Where such a cgroup may be, weighted or not (the setting may have changed since the attempt started): this setting's place first.</summary>
    public IEnumerable<string> QuotaPaths(PriorityClass priority, string name) =>
        [QuotaPath(priority, name), (this with { Weighted = !Weighted }).QuotaPath(priority, name)];

    /// <summary>
    /// cgroup v1 <c>cpu.shares</c> of a class, against 1024 for each of the scheduler's threads: critical 1024, high 512, normal
    /// 256, low 64, batch 16 (about the weight of a nice 19 process, the Unix convention for work that may wait).
    /// </summary>
    public static int Shares(PriorityClass priority) => priority switch
    {
        PriorityClass.Critical => 1024,
        PriorityClass.High => 512,
        PriorityClass.Normal => 256,
        PriorityClass.Low => 64,
        _ => 16,
    };

    /// <summary>
    /// cgroup v2 <c>cpu.weight</c> of a class: <see cref="Shares"/> on v2's scale, where a nice-0 thread weighs 100 as it weighs
    /// 1024 on v1 (critical 100, high 50, normal 25, low 6, batch 2).
    /// </summary>
    public static int Weight(PriorityClass priority) => Math.Max(1, (int)Math.Round(Shares(priority) * 100 / 1024.0, MidpointRounding.AwayFromZero));

    /// <summary>
    /// Finds the cpu controller of the scheduler's own cgroup on cgroup v1 and, when <paramref name="weighted"/>, makes the five
    /// class groups in it with their weights; null when there is none, when the groups cannot be made or weighted, or on
    /// cgroup v2 (there a process is in one cgroup only, so the weight and any quota go on the attempt's own cgroup:
    /// <see cref="AttemptCgroup.Create"/>).
    /// </summary>
    public static CpuClassGroups? Detect(bool weighted = true)
    {
        try
        {
            var own = File.ReadAllLines("/proc/self/cgroup");
            var mounts = File.ReadAllLines("/proc/self/mountinfo");
            return CgroupRoot.Candidate(own, mounts, v2: false, "cpu") is not { } v1 ? null
                : weighted ? Make(Parent(v1))
                : Writable(Parent(v1)) ? new CpuClassGroups(Parent(v1), Weighted: false) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Parent(string candidate) => Path.GetDirectoryName(candidate) ?? "/";

    /// <summary>True when a cgroup can be made in <paramref name="directory"/> (unweighted, only quota groups are made there).</summary>
    private static bool Writable(string directory)
    {
        var probe = Path.Combine(directory, "yardmaster-probe-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            System.IO.Directory.CreateDirectory(probe);
            System.IO.Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static CpuClassGroups? Make(string directory)
    {
        var groups = new CpuClassGroups(directory);
        try
        {
            foreach (var priority in PriorityClasses.All)
            {
                var group = groups.GroupOf(priority);
                System.IO.Directory.CreateDirectory(group);
                File.WriteAllText(Path.Combine(group, "cpu.shares"), Shares(priority).ToString(CultureInfo.InvariantCulture));
            }

            return groups;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
