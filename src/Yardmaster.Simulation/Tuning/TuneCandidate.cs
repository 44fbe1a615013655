using System.Globalization;
using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Units;

namespace Yardmaster.Simulation.Tuning;

/// <summary>One point of the space <c>yard tune</c> searches: the scheduler parameters a yard.yaml exposes for the queues and the model cache.</summary>
/// <param name="Queue">The queue policy.</param>
/// <param name="DefaultWait">The aging bound of critical, high and normal (<c>max_wait.default</c>).</param>
/// <param name="LowWait">The aging bound of low.</param>
/// <param name="BatchWait">The aging bound of batch.</param>
/// <param name="MaxQueue">Requests a model's queue holds.</param>
/// <param name="Eviction">The eviction policy.</param>
/// <param name="Knobs">The tasks' weights and the models' keep-alive and replicas (<see cref="TuneKnobs.None"/>: as they are, not searched).</param>
internal sealed record TuneCandidate(string Queue, TimeSpan DefaultWait, TimeSpan LowWait, TimeSpan BatchWait, int MaxQueue, string Eviction, TuneKnobs Knobs)
{
    /// <summary>The candidate <paramref name="settings"/> are, with <paramref name="knobs"/> (default: none).</summary>
    public static TuneCandidate From(SchedulerSettings settings, TuneKnobs? knobs = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.QueueOptions;
        return new(settings.Queue, options.MaxWaitFor(PriorityClass.Normal), options.MaxWaitFor(PriorityClass.Low), options.MaxWaitFor(PriorityClass.Batch), settings.MaxQueue, settings.Eviction, knobs ?? TuneKnobs.None);
    }

    /// <summary>True when it differs from <paramref name="other"/> in a scheduler setting (not only in the tasks' or models' knobs).</summary>
    public bool SchedulerDiffers(TuneCandidate other) => this with { Knobs = TuneKnobs.None } != (other ?? throw new ArgumentNullException(nameof(other))) with { Knobs = TuneKnobs.None };

    /// <summary><paramref name="settings"/> with this candidate's parameters.</summary>
    public SchedulerSettings Apply(SchedulerSettings settings) => settings with
    {
        Queue = Queue,
        MaxWait = DefaultWait,
        MaxWaitByClass = new Dictionary<PriorityClass, TimeSpan> { [PriorityClass.Low] = LowWait, [PriorityClass.Batch] = BatchWait },
        MaxQueue = MaxQueue,
        Eviction = Eviction,
    };

    /// <summary>The <c>scheduler:</c> lines of yard.yaml that set it.</summary>
    public IReadOnlyList<string> Yaml() =>
    [
        $"  queue: {Queue}",
        $"  eviction: {Eviction}",
        $"  max_queue: {MaxQueue.ToString(CultureInfo.InvariantCulture)}",
        $"  max_wait: {{ default: {Durations.Format(DefaultWait)}, low: {Durations.Format(LowWait)}, batch: {Durations.Format(BatchWait)} }}",
    ];
}
