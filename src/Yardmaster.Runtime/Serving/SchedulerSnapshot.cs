using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;

namespace Yardmaster.Runtime.Serving;

/// <summary>The scheduler's state at one moment, for <c>/api/models</c>, <c>/api/stats</c> and the CLI.</summary>
public sealed record SchedulerSnapshot(IReadOnlyList<ModelStatus> Models, IReadOnlyList<TaskStatus> Tasks, IReadOnlyList<DeviceStatus> Devices);

/// <summary>
/// One model: its queue, requests in flight, estimates, why it cannot load (if so), and its replicas; with
/// <paramref name="Failures"/> (consecutive failed loads or crashes since the last good load) and the reason of the last one.
/// </summary>
public sealed record ModelStatus(
    string Name,
    BackendKind Backend,
    int Queued,
    int InFlight,
    long MemoryEstimate,
    TimeSpan LoadEstimate,
    TimeSpan ServiceEstimate,
    string? Blocked,
    IReadOnlyList<ReplicaSnapshot> Replicas,
    int Failures = 0,
    string? LastFailure = null);

/// <summary>One task: requests admitted and not finished; and, since the server started, requests admitted to a model below the task's quality floor because none met it.</summary>
public sealed record TaskStatus(string Name, int Admitted, long QualityUnmet = 0);

/// <summary>One device's memory budget and what is charged to it, bytes.</summary>
public sealed record DeviceStatus(string Device, long Budget, long Used);
