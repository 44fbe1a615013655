using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Placement;

/// <summary>
/// One scheduling decision over a snapshot: walks the ready steps in order (the caller sorts them by class,
/// then longest remaining critical path) and places each with the placement policy, with EASY backfill: the
/// first step that does not fit gets a reservation on the node where running steps free enough soonest, and
/// a later step may start only where it does not delay that reservation (it is predicted to end before it,
/// or fits in what the reservation leaves). A blocked step may preempt running steps of lower classes.
/// Pure: the nodes array is updated in place to what the decisions leave free; nothing else is mutated.
/// </summary>
public sealed class SchedulingPass(IPlacementPolicy placement, bool backfill = true)
{
    /// <summary>A copy of the nodes in which those of other engines than the step's cannot fit; reused across passes (a pass is single-threaded).</summary>
    private NodeResources[] _scratch = [];

    /// <summary>Each node's serving reserve while a step that may not borrow it is placed; reused across passes.</summary>
    private long[] _reserves = [];

    /// <summary>The policy choosing among nodes where a step fits.</summary>
    public IPlacementPolicy Placement { get; } = placement ?? throw new ArgumentNullException(nameof(placement));

    /// <summary>Plans one pass at time <paramref name="now"/> (seconds on the caller's clock).</summary>
    public PassPlan Plan(IReadOnlyList<ReadyStep> ready, NodeResources[] nodes, IReadOnlyList<RunningStep> running, PassLimits limits, double now)
    {
        ArgumentNullException.ThrowIfNull(ready);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(limits);
        var plan = new PassPlan();
        var slots = (int[])limits.GroupSlots.Clone();
        var startsLeft = limits.MaxStarts;
        var reservation = default(Reservation);
        var stopping = running.Where(r => r.Stopping).ToList();
        var smallestFailure = (Cpu: long.MaxValue, Memory: long.MaxValue, Gpus: int.MaxValue, Engine: 0);
        for (var k = 0; k < ready.Count && startsLeft > 0; k++)
        {
            var step = ready[k];
            if (slots[step.Group] <= 0)
            {
                continue;
            }

            var request = step.Request;
            var dominated = step.Engine == smallestFailure.Engine && request.CpuMillis >= smallestFailure.Cpu && request.MemoryBytes >= smallestFailure.Memory && request.Gpus >= smallestFailure.Gpus;
            // A step that may not be preempted sees none of serving's reserve.
            var hidden = !step.Preemptible && HideReserve(nodes);
            var node = dominated ? -1 : Choose(step, nodes, reservation, now);
            if (node >= 0)
            {
                if (hidden)
                {
                    ShowReserve(nodes);
                }

                if (reservation.Active && node == reservation.Node && now + step.PredictedSeconds > reservation.At)
                {
                    reservation.Take(request);
                }

                plan.Starts.Add((step.Key, node, nodes[node].Take(request)));
                slots[step.Group]--;
                startsLeft--;
                continue;
            }

            if (!dominated && reservation.Active is false && !hidden)
            {
                smallestFailure = (request.CpuMillis, request.MemoryBytes, request.Gpus, step.Engine);
            }

            if (!reservation.Active)
            {
                reservation = Reserve(step, nodes, running, stopping, plan, now);
                if (reservation.Active)
                {
                    plan.Reserved = step.Key;
                    plan.ReservedAt = reservation.At;
                }
            }

            if (hidden)
            {
                ShowReserve(nodes);
            }
        }

        return plan;
    }

    /// <summary>
    /// The running steps to stop so that every serving claim is met, each with the index of the claim it is stopped for: per node,
    /// the claims in order of urgency, each against what models could use now plus what steps already stopping give back; for a
    /// claim still short, the fewest preemptible steps of less urgent classes than its own (of any class while models and the claims
    /// so far stay within the serving reserve, which only preemptible steps may have borrowed), the least urgent classes first and
    /// within them the largest (the last the smallest that suffices). A claim that even all of them cannot meet stops none.
    /// </summary>
    /// <param name="claims">The serving scheduler's claims.</param>
    /// <param name="nodes">Each node's memory between steps and models, by ledger index.</param>
    /// <param name="running">The steps holding resources.</param>
    public static List<(int Key, int Claim)> Reclaim(IReadOnlyList<ServingClaim> claims, IReadOnlyList<ServingMemory> nodes, IReadOnlyList<RunningStep> running)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(running);
        var victims = new List<(int Key, int Claim)>();
        foreach (var node in claims.Select(c => c.Node).Distinct())
        {
            var memory = nodes[node];
            var onNode = running.Where(r => r.Node == node).ToList();
            var covered = memory.Unreserved - memory.Models + onNode.Where(r => r.Stopping).Sum(r => r.Request.MemoryBytes);
            var claimed = 0L;
            var chosen = new HashSet<int>();
            foreach (var (claim, index) in claims.Select((c, i) => (c, i)).Where(c => c.c.Node == node).OrderBy(c => c.c.Priority))
            {
                claimed += claim.Bytes;
                var missing = claimed - covered;
                if (missing <= 0)
                {
                    continue;
                }

                var withinReserve = memory.Models + claimed <= memory.Reserve;
                var candidates = onNode.Where(r => r.Preemptible && !r.Stopping && r.Request.MemoryBytes > 0 && !chosen.Contains(r.Key)
                    && (withinReserve || r.Priority > claim.Priority)).ToList();
                if (Fewest(candidates, missing) is not { } picked)
                {
                    continue;
                }

                foreach (var r in picked)
                {
                    chosen.Add(r.Key);
                    covered += r.Request.MemoryBytes;
                    victims.Add((r.Key, index));
                }
            }
        }

        return victims;
    }

    /// <summary>
    /// The fewest of <paramref name="candidates"/> freeing <paramref name="missing"/> bytes, from the least urgent classes that suffice
    /// (batch alone if it can, else batch and low, ...): the largest first, the last the smallest that covers the rest; null when all are not enough.
    /// </summary>
    private static List<RunningStep>? Fewest(List<RunningStep> candidates, long missing)
    {
        foreach (var floor in candidates.Select(c => c.Priority).Distinct().OrderByDescending(p => p))
        {
            var pool = candidates.Where(c => c.Priority >= floor).OrderByDescending(c => c.Request.MemoryBytes).ThenByDescending(c => c.Started).ToList();
            if (pool.Sum(c => c.Request.MemoryBytes) < missing)
            {
                continue;
            }

            var picked = new List<RunningStep>();
            var rest = missing;
            while (rest > 0)
            {
                // The smallest that covers the rest ends it; else the largest left, and on.
                var last = pool.FindLastIndex(c => c.Request.MemoryBytes >= rest);
                var at = last >= 0 ? last : 0;
                picked.Add(pool[at]);
                rest -= pool[at].Request.MemoryBytes;
                pool.RemoveAt(at);
            }

            return picked;
        }

        return null;
    }

    /// <summary>Takes serving's reserve off every node's free memory (for a step that may not borrow it); false when no node has one.</summary>
    private bool HideReserve(NodeResources[] nodes)
    {
        if (_reserves.Length != nodes.Length)
        {
            _reserves = new long[nodes.Length];
        }

        var any = false;
        for (var i = 0; i < nodes.Length; i++)
        {
            _reserves[i] = nodes[i].ServingReserve;
            if (_reserves[i] > 0)
            {
                any = true;
                nodes[i].MemoryFree -= _reserves[i];
                nodes[i].ServingReserve = 0;
            }
        }

        return any;
    }

    /// <summary>Gives back what <see cref="HideReserve"/> took off.</summary>
    private void ShowReserve(NodeResources[] nodes)
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            if (_reserves[i] > 0)
            {
                nodes[i].MemoryFree += _reserves[i];
                nodes[i].ServingReserve = _reserves[i];
            }
        }
    }

    private int Choose(in ReadyStep step, NodeResources[] nodes, Reservation reservation, double now)
    {
        if (!reservation.Active)
        {
            return ChooseOnEngine(step, nodes);
        }

        if (!backfill)
        {
            return -1;
        }

        // Backfill: on the reserved node, a step that would still run at the reserved time may only use what
        // the reservation leaves over.
        var saved = nodes[reservation.Node];
        if (now + step.PredictedSeconds > reservation.At)
        {
            nodes[reservation.Node].CpuFree = Math.Min(saved.CpuFree, reservation.Cpu);
            nodes[reservation.Node].MemoryFree = Math.Min(saved.MemoryFree, reservation.Memory);
            nodes[reservation.Node].GpuFree = saved.GpuFree & reservation.Gpus;
        }

        var node = ChooseOnEngine(step, nodes);
        nodes[reservation.Node] = saved;
        return node;
    }

    /// <summary>The policy's choice among the nodes of the step's engine (all of them when every node is of it, the usual case).</summary>
    private int ChooseOnEngine(in ReadyStep step, NodeResources[] nodes)
    {
        var mixed = false;
        foreach (ref readonly var node in nodes.AsSpan())
        {
            mixed |= node.Engine != step.Engine;
        }

        if (!mixed)
        {
            return Placement.Choose(step.Request, nodes);
        }

        if (_scratch.Length != nodes.Length)
        {
            _scratch = new NodeResources[nodes.Length];
        }

        for (var i = 0; i < nodes.Length; i++)
        {
            _scratch[i] = nodes[i].Engine == step.Engine ? nodes[i] : nodes[i] with { CpuFree = -1, MemoryFree = -1, GpuFree = 0 };
        }

        return Placement.Choose(step.Request, _scratch);
    }

    /// <summary>
    /// The reservation of the first blocked step: the node and time where it fits soonest as running steps end
    /// (stopping steps end now). When the step's class is above some running steps' and no stopping step
    /// already makes room, it preempts the fewest lower-class steps that make it fit on one node.
    /// </summary>
    private static Reservation Reserve(ReadyStep step, NodeResources[] nodes, IReadOnlyList<RunningStep> running, List<RunningStep> stopping, PassPlan plan, double now)
    {
        var request = step.Request;
        var best = default(Reservation);
        var byNode = running.Where(r => nodes[r.Node].Engine == step.Engine).GroupBy(r => r.Node);
        var victims = default(List<RunningStep>);
        foreach (var group in byNode)
        {
            var node = nodes[group.Key];
            var releases = group.OrderBy(r => r.Stopping ? now : Math.Max(now, r.PredictedEnd));
            foreach (var r in releases)
            {
                node.Give(r.Request, r.Gpus);
                if (node.Fits(request))
                {
                    var at = r.Stopping ? now : Math.Max(now, r.PredictedEnd);
                    if (!best.Active || at < best.At)
                    {
                        best = Reservation.After(group.Key, at, node, request);
                    }

                    break;
                }
            }

            if (!group.Any(r => r.Stopping && r.Priority > step.Priority))
            {
                var candidates = Victims(step, nodes[group.Key], group);
                if (candidates is not null && (victims is null || candidates.Count < victims.Count))
                {
                    victims = candidates;
                }
            }
        }

        var waitingOnStops = stopping.Any(s => s.Priority > step.Priority);
        if (victims is not null && !waitingOnStops && (!best.Active || best.At > now))
        {
            plan.Preemptions.AddRange(victims.Select(v => v.Key));
            var node = nodes[victims[0].Node];
            foreach (var v in victims)
            {
                node.Give(v.Request, v.Gpus);
            }

            return Reservation.After(victims[0].Node, now, node, request);
        }

        return best;
    }

    /// <summary>Lower-class preemptible steps on one node, least urgent and youngest first, until the step fits; null when even all of them are not enough.</summary>
    private static List<RunningStep>? Victims(ReadyStep step, NodeResources node, IEnumerable<RunningStep> onNode)
    {
        var priority = step.Priority;
        var request = step.Request;
        var victims = new List<RunningStep>();
        foreach (var r in onNode.Where(r => r.Preemptible && !r.Stopping && r.Priority > priority).OrderByDescending(r => r.Priority).ThenByDescending(r => r.Started))
        {
            victims.Add(r);
            node.Give(r.Request, r.Gpus);
            if (node.Fits(request))
            {
                return victims;
            }
        }

        return null;
    }

    private struct Reservation(int node, double at, long cpu, long memory, ulong gpus)
    {
        public bool Active { get; } = true;

        public int Node { get; } = node;

        public double At { get; } = at;

        public long Cpu { get; private set; } = cpu;

        public long Memory { get; private set; } = memory;

        public ulong Gpus { get; private set; } = gpus;

        /// <summary>What <paramref name="node"/> has left at <paramref name="at"/> once the reserved step takes <paramref name="request"/>.</summary>
        public static Reservation After(int index, double at, NodeResources node, in ResourceRequest request)
        {
            node.Take(request);
            return new Reservation(index, at, node.CpuFree, node.MemoryFree, node.GpuFree);
        }

        public void Take(in ResourceRequest request)
        {
            Cpu -= request.CpuMillis;
            Memory -= request.MemoryBytes;
            for (var i = 0; i < request.Gpus && Gpus != 0; i++)
            {
                Gpus &= Gpus - 1;
            }
        }
    }
}
