using System.Globalization;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Models;

/// <summary>
/// <c>rotation</c>: when more models are in demand than fit, each gets a turn. A replica may be evicted only after it has been
/// ready for its quantum: its measured load time ÷ <see cref="Share"/> (at 10%, a model that took 20 s to load stays at
/// least 200 s, so swapping costs at most a tenth of the time), and at least <see cref="MinimumQuantum"/>. Among replicas whose
/// turn is over, the least recently used go first. A load that only replicas still in their turn could make room for waits:
/// it gets the next turn that ends (the serving scheduler retries the longest-waiting model first).
/// </summary>
public sealed class RotationEvictionPolicy(double share = RotationEvictionPolicy.DefaultShare, TimeSpan? minimumQuantum = null) : IEvictionPolicy
{
    /// <summary>The most of the time swapping may cost by default.</summary>
    public const double DefaultShare = 0.1;

    /// <summary>The most of the time swapping may cost: a replica's quantum is its load time divided by it.</summary>
    public double Share { get; } = share is > 0 and <= 1 ? share : throw new ArgumentOutOfRangeException(nameof(share), share, "must be in (0, 1]");

    /// <summary>The shortest turn, whatever the load time.</summary>
    public TimeSpan MinimumQuantum { get; } = minimumQuantum ?? TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public string Name => "rotation";

    /// <summary>How long <paramref name="replica"/>'s turn lasts from when it became ready.</summary>
    public TimeSpan Quantum(ReplicaSnapshot replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return QuantumOf(replica.LoadCost, Share, MinimumQuantum);
    }

    /// <summary>The turn a replica that took <paramref name="loadCost"/> to load earns, so that loading costs at most <paramref name="share"/> of the time; at least <paramref name="minimum"/>.</summary>
    public static TimeSpan QuantumOf(TimeSpan loadCost, double share, TimeSpan minimum)
    {
        var quantum = TimeSpan.FromTicks((long)(loadCost.Ticks / share));
        return quantum > minimum ? quantum : minimum;
    }

    /// <summary>True while <paramref name="replica"/>'s turn protects it: within its quantum, and used within its load time (a model whose demand paused longer than a reload would take gives its turn up).</summary>
    public bool InTurn(ReplicaSnapshot replica, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return now - replica.ReadyAt < Quantum(replica) && now - replica.LastUsed < (replica.LoadCost > MinimumQuantum ? replica.LoadCost : MinimumQuantum);
    }

    /// <inheritdoc />
    public EvictionDecision Choose(EvictionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var over = request.Replicas.Where(r => r.Evictable && !InTurn(r, request.Now)).OrderBy(r => r.LastUsed).ThenBy(r => r.Model, StringComparer.Ordinal);
        var decision = EvictionChoice.TakeInOrder(request, over);
        if (decision.Fits)
        {
            return decision;
        }

        var inTurn = request.Replicas.Where(r => r.Evictable && InTurn(r, request.Now)).ToList();
        if (inTurn.Count == 0)
        {
            return decision;
        }

        var next = inTurn.Min(r => r.ReadyAt + Quantum(r) - request.Now);
        return EvictionDecision.Refuse(string.Create(CultureInfo.InvariantCulture,
            $"{decision.Refusal}; {inTurn.Count} idle replica(s) holding {ByteSizes.Format(inTurn.Sum(r => r.MemoryBytes))} are within their turn (rotation), the next ends in {next.TotalSeconds:0.#} s"));
    }

    /// <inheritdoc />
    public void OnUse(string model, DateTimeOffset now)
    {
    }
}
