using System.Collections.Concurrent;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Runtime.Tests.Serving;

/// <summary>
/// The scheduler's backend port with in-memory replicas that record what was started and stopped, so the
/// scheduler's decisions can be checked on a manual clock (the real backends run in the Server tests).
/// A start waits for <see cref="Gate"/> when one is set.
/// </summary>
internal sealed class RecordingLauncher : IReplicaLauncher
{
    public ConcurrentQueue<string> Started { get; } = new();

    public ConcurrentQueue<string> Stopped { get; } = new();

    public ConcurrentDictionary<string, FakeReplica> Live { get; } = new();

    /// <summary>When set, starts wait for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Models whose start fails with this message.</summary>
    public ConcurrentDictionary<string, string> Failing { get; } = new();

    /// <summary>Models whose footprint cannot be estimated (their file is unreadable), with the reason.</summary>
    public ConcurrentDictionary<string, string> Unreadable { get; } = new();

    /// <summary>Replica numbers of each model still running from an earlier server, handed out by <see cref="ClaimRunning"/> once.</summary>
    public ConcurrentDictionary<string, int[]> Running { get; } = new();

    /// <summary>Each model's claim and the maximum it was asked for.</summary>
    public ConcurrentQueue<(string Model, int Max)> Claims { get; } = new();

    /// <summary>The replica numbers started (taken over, for claimed ones), as "model/number".</summary>
    public ConcurrentQueue<string> StartedReplicas { get; } = new();

    public IReadOnlyList<int> ClaimRunning(ModelDefinition model, int max)
    {
        Claims.Enqueue((model.Name, max));
        return Running.TryRemove(model.Name, out var numbers) ? [.. numbers.Take(max)] : [];
    }

    public FootprintEstimate EstimateMemory(ModelDefinition model) =>
        Unreadable.TryGetValue(model.Name, out var why) ? FootprintEstimate.Failed(why) : FootprintEstimate.Of(model.Memory ?? (10L << 20));

    public async Task<IReplicaInstance> StartAsync(ModelDefinition model, int replica, CancellationToken cancellationToken)
    {
        Started.Enqueue(model.Name);
        StartedReplicas.Enqueue($"{model.Name}/{replica}");
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failing.TryGetValue(model.Name, out var message))
        {
            throw new ReplicaStartException(message);
        }

        var instance = new FakeReplica(this, $"{model.Name}/{replica}", model.Memory ?? (10L << 20));
        Live[instance.Id] = instance;
        return instance;
    }

    internal sealed class FakeReplica(RecordingLauncher owner, string id, long memory) : IReplicaInstance
    {
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Id { get; } = id;

        public long MemoryBytes { get; } = memory;

        public Task Exited => _exited.Task;

        public string? ExitReason { get; private set; }

        /// <summary>Simulates the backend dying on its own.</summary>
        public void Crash(string reason)
        {
            ExitReason = reason;
            owner.Live.TryRemove(Id, out _);
            _exited.TrySetResult();
        }

        public ValueTask DisposeAsync()
        {
            owner.Stopped.Enqueue(Id);
            owner.Live.TryRemove(Id, out _);
            return ValueTask.CompletedTask;
        }
    }
}
