using Yardmaster.Core.Configuration;
using Yardmaster.Core.Models;

namespace Yardmaster.Core.Serving;

public static partial class ServingPass
{
    /// <summary>
    /// Hands free slots to queued requests: the routing policy picks a replica for each in turn (seeing the slots the
    /// earlier ones took) until none has a free slot or the queue is empty. Then, if requests still wait, whether one
    /// more replica should load (<see cref="ShouldScaleOut"/>).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="replicas">Its replicas, whatever their state.</param>
    /// <param name="routing">The routing policy.</param>
    /// <param name="stopping">True when the scheduler is stopping (nothing loads).</param>
    /// <param name="now">The clock.</param>
    public static DispatchPlan Dispatch(ModelState model, IReadOnlyList<ReplicaSnapshot> replicas, IRoutingPolicy routing, bool stopping, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(routing);
        var chosen = new List<int>();
        if (model.Queued > 0 && replicas.Count > 0)
        {
            var view = replicas.ToArray();
            while (chosen.Count < model.Queued)
            {
                var index = routing.Choose(view);
                if (index < 0)
                {
                    break;
                }

                view[index] = view[index] with { InFlight = view[index].InFlight + 1 };
                chosen.Add(index);
            }
        }

        var left = model with { Queued = model.Queued - chosen.Count };
        return new DispatchPlan(chosen, left.Queued > 0 && ShouldScaleOut(left, stopping, now));
    }

    /// <summary>
    /// The replica that should take a request of class <paramref name="priority"/> although no replica has a free slot, because its
    /// engine preempts (<see cref="ReplicaSnapshot.Preempts"/>): a ready one where fewer requests than its slots are as urgent or
    /// more (so the request gets a slot, taking a less urgent one's), and fewer than its slots wait preempted already (in flight
    /// beyond its slots). Of those, the one where the fewest are as urgent or more, then the least loaded, then the first.
    /// -1 when none: the request waits in the queue as before.
    /// </summary>
    public static int PreemptTarget(IReadOnlyList<ReplicaSnapshot> replicas, PriorityClass priority)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var best = -1;
        var bestAhead = int.MaxValue;
        var bestLoad = int.MaxValue;
        for (var i = 0; i < replicas.Count; i++)
        {
            var r = replicas[i];
            if (!r.Preempts || r.State != ReplicaState.Ready || r.InFlight >= 2 * r.Slots)
            {
                continue;
            }

            var ahead = 0;
            for (var c = 0; c <= (int)priority && c < r.InFlightByClass.Count; c++)
            {
                ahead += r.InFlightByClass[c];
            }

            if (ahead < r.Slots && (ahead < bestAhead || (ahead == bestAhead && r.InFlight < bestLoad)))
            {
                best = i;
                bestAhead = ahead;
                bestLoad = r.InFlight;
            }
        }

        return best;
    }

    /// <summary>
    /// True when requests wait and a replica should start: the first one for a cold model, or one more (up to
    /// <c>replicas.max</c>) when the queue's predicted wait exceeds <see cref="ModelState.QueueBudget"/>. Never while one
    /// loads (single flight), during a restart backoff, for a removed model, or while stopping.
    /// </summary>
    public static bool ShouldScaleOut(ModelState model, bool stopping, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Removed || stopping || model.Loading > 0 || now < model.NextLoadAt || model.Ready >= model.ReplicasMax)
        {
            return false;
        }

        return model.Ready == 0 || model.Service * (model.Queued / (double)Math.Max(1, model.ReadySlots)) > model.QueueBudget;
    }

    /// <summary>
    /// The slots a model's queue may count on when it gives up requests that cannot meet their deadlines
    /// (<see cref="Queueing.IRequestQueue.Doomed"/>): its ready slots once it has all the replicas it may have, else none
    /// (nothing is given up while one more replica may still come, or while it loads).
    /// </summary>
    public static int SheddingSlots(ModelState model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Removed || model.Loading > 0 || model.Ready < model.ReplicasMax ? 0 : model.ReadySlots;
    }

    /// <summary>
    /// For one ready replica of a model whose engine preempts: the slots a request of <paramref name="priority"/> may still take
    /// (those not held by requests as urgent or more, within the bound of as many beyond the slots as it has), and the
    /// requests as urgent or more in flight there: what it waits behind.
    /// </summary>
    /// <param name="slots">The replica's slots.</param>
    /// <param name="inFlightByClass">Its requests in flight, by class (<see cref="ReplicaSnapshot.InFlightByClass"/>).</param>
    /// <param name="inFlight">Its requests in flight in all.</param>
    /// <param name="priority">The newcomer's class.</param>
    public static (int Free, int Ahead) PreemptingSlots(int slots, IReadOnlyList<int> inFlightByClass, int inFlight, PriorityClass priority)
    {
        ArgumentNullException.ThrowIfNull(inFlightByClass);
        var urgent = 0;
        for (var c = 0; c <= (int)priority && c < inFlightByClass.Count; c++)
        {
            urgent += inFlightByClass[c];
        }

        return (Math.Max(0, Math.Min(slots - urgent, (2 * slots) - inFlight)), urgent);
    }

    /// <summary>True when the model has fewer ready replicas than its <c>replicas.min</c> and none loading: one should start.</summary>
    public static bool BelowMinimum(ModelState model, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        return !model.Removed && model.Loading == 0 && now >= model.NextLoadAt && model.Ready < model.ReplicasMin;
    }

    /// <summary>
    /// The idle replicas to unload: ready, serving nothing, unused for the model's <c>keep_alive</c>, least recently used
    /// first, while more than <c>replicas.min</c> stay ready and nothing is queued. Indexes into <paramref name="replicas"/>.
    /// </summary>
    public static IReadOnlyList<int> IdleUnloads(ModelState model, IReadOnlyList<ReplicaSnapshot> replicas, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(replicas);
        if (model.KeepAlive is not { } keepAlive || model.Queued > 0)
        {
            return [];
        }

        var ready = model.Ready;
        var unload = new List<int>();
        foreach (var i in Enumerable.Range(0, replicas.Count).Where(i => replicas[i].State == ReplicaState.Ready && replicas[i].InFlight == 0).OrderBy(i => replicas[i].LastUsed))
        {
            if (ready > model.ReplicasMin && now - replicas[i].LastUsed >= keepAlive)
            {
                unload.Add(i);
                ready--;
            }
        }

        return unload;
    }

    /// <summary>A model as the scheduler serves it: an <c>http</c> backend is one replica, always there, pinned, holding no memory here.</summary>
    public static ModelDefinition Normalize(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Backend == BackendKind.Http ? model with { ReplicasMin = 1, ReplicasMax = 1, KeepAlive = null, Pinned = true, Memory = 0 } : model;
    }

    /// <summary>The tightest queueing budget among the tasks that use <paramref name="model"/>: their TTFT SLO, else half their latency SLO, else 1 s.</summary>
    public static TimeSpan QueueBudget(string model, IEnumerable<TaskDefinition> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var budget = TimeSpan.MaxValue;
        foreach (var task in tasks)
        {
            if (task.Models.Contains(model))
            {
                var b = task.Ttft ?? (task.Latency / 2) ?? TimeSpan.FromSeconds(1);
                budget = b < budget ? b : budget;
            }
        }

        return budget == TimeSpan.MaxValue ? TimeSpan.FromSeconds(1) : budget;
    }
}
