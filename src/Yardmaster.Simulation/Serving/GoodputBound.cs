namespace Yardmaster.Simulation.Serving;

/// <summary>
/// An upper bound on the requests any policy can complete within their SLO on a number of slots: the fluid relaxation
/// (the slots pooled into one server of that many times the speed, requests preemptible), with the time cut into steps and
/// each request's window from arrival to deadline widened to whole steps. For every span of steps, the requests whose
/// window lies inside it can hold at most the span's slot-seconds; a request that cannot meet its deadline alone counts
/// for nothing. The most requests under these constraints (fractions allowed) is found exactly by the greedy of a
/// polymatroid: shortest first, each given all the time the spans around its window still have. Any real schedule meets
/// the constraints, so none completes more in time. The step is the trace's length over <see cref="MaxSteps"/> (at
/// least 5 s): a request costs about <see cref="MaxSteps"/>² ÷ 2 additions.
/// </summary>
internal static class GoodputBound
{
    /// <summary>Steps at most (a coarser step only loosens the bound).</summary>
    private const int MaxSteps = 160;

    /// <summary>The bound, in requests (a fraction of one possible).</summary>
    /// <param name="requests">Each request's arrival and deadline (seconds from the first arrival) and service time (seconds).</param>
    /// <param name="slots">Slots in all.</param>
    /// <param name="step">The shortest step in seconds.</param>
    public static double Requests(IReadOnlyList<(double Arrival, double Deadline, double Service)> requests, int slots, double step = 5)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return Requests([.. requests.Select(r => (r.Arrival, r.Deadline, r.Service, 0))], slots, step);
    }

    /// <summary>
    /// The bound among schedules that complete as many requests of each rank as can be before any of a later rank (ranks
    /// taken in order, shortest first within each: the same greedy with a lexicographic weight). With the priority class
    /// as rank: the most goodput of a policy that never leaves a request of a class for one of a less urgent class.
    /// </summary>
    /// <param name="requests">As above, with each request's rank (lower first).</param>
    /// <param name="slots">Slots in all.</param>
    /// <param name="step">The shortest step in seconds.</param>
    public static double Requests(IReadOnlyList<(double Arrival, double Deadline, double Service, int Rank)> requests, int slots, double step = 5)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        if (requests.Count == 0)
        {
            return 0;
        }

        var end = requests.Max(r => r.Deadline);
        step = Math.Max(step, end / MaxSteps);
        var steps = (int)Math.Ceiling(end / step);
        var width = steps + 1;
        var used = new double[width * width]; // used[a * width + b]: time given to requests whose window lies in steps [a, b)
        var perStep = slots * step;
        var count = 0.0;
        foreach (var (arrival, deadline, service, _) in requests.OrderBy(r => r.Rank).ThenBy(r => r.Service))
        {
            if (service > deadline - arrival)
            {
                continue;
            }

            if (service <= 0)
            {
                count++;
                continue;
            }

            var from = (int)Math.Floor(arrival / step);
            var to = Math.Min(steps, (int)Math.Ceiling(deadline / step));
            var room = service;
            for (var a = 0; a <= from && room > 0; a++)
            {
                for (var b = to; b <= steps; b++)
                {
                    room = Math.Min(room, (perStep * (b - a)) - used[(a * width) + b]);
                }
            }

            if (room <= 0)
            {
                continue;
            }

            for (var a = 0; a <= from; a++)
            {
                for (var b = to; b <= steps; b++)
                {
                    used[(a * width) + b] += room;
                }
            }

            count += room / service;
        }

        return count;
    }
}
