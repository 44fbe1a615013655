using System.Globalization;
using Yardmaster.Core.Models;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Serving;

/// <summary>
/// The serving decisions, pure over snapshots: where a replica loads and what it evicts, whether a request is
/// admitted and on which model, which replicas take the queued requests, when to scale out, what to unload when idle.
/// The live scheduler (<c>ServingScheduler</c>) calls them under its lock and applies their plans with I/O; the
/// simulator (<c>yard simulate</c>) calls the very same ones on simulated state. No clock, no I/O, no randomness
/// beyond what the policies passed in hold.
/// </summary>
public static partial class ServingPass
{
    /// <summary>
    /// Where a new replica goes: the first device of its kind where it fits as is, or after the device's eviction
    /// policy frees enough from idle replicas. A device whose whole budget is too small is skipped. When no device can
    /// take it so, and a class waits for it (<see cref="LoadInput.Priority"/>): the first device where draining replicas
    /// busy only with less urgent requests frees enough (<see cref="LoadPlan.Drains"/>; the last resort, so that a free
    /// device is never passed over for a drain); else the memory pipeline steps hold (<see cref="LoadPlan.Reclaim"/>).
    /// </summary>
    /// <param name="input">The model's need, the devices and their replicas.</param>
    /// <param name="eviction">The eviction policy of a device (one per device; it may keep state).</param>
    /// <param name="now">The clock, for the policy.</param>
    public static LoadPlan Load(LoadInput input, Func<string, IEvictionPolicy> eviction, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(eviction);
        if (input.EstimateError is { } unloadable)
        {
            return LoadPlan.Refuse(unloadable);
        }

        string? refusal = null;
        LoadPlan? reclaim = null;
        LoadPlan? drain = null;
        foreach (var device in input.Devices)
        {
            if (device.Budget < input.Need)
            {
                refusal = $"needs {ByteSizes.Format(input.Need)}, more than the {device.Device} budget of {ByteSizes.Format(device.Budget)}";
                continue;
            }

            var missing = input.Need - device.Free;
            if (missing <= 0)
            {
                return new LoadPlan(device.Device, [], null);
            }

            var onDevice = On(input.Replicas, device.Device, input.Model);
            if (input.Priority is { } urgency)
            {
                onDevice.RemoveAll(r => Protected(r, urgency, now)); // loaded for a more urgent class, within its turn: no ping-pong
            }

            var decision = eviction(device.Device).Choose(new EvictionRequest(onDevice, missing, now));
            if (decision.Fits)
            {
                return new LoadPlan(device.Device, decision.Victims, null);
            }

            refusal = $"{device.Device}: {decision.Refusal}";
            if (drain is null && input.Priority is { } waiting && Drainable(onDevice, waiting, missing) is { } drains)
            {
                // Only when no device takes it as is or by evicting idle replicas: draining busy ones is the last resort.
                drain = LoadPlan.Refuse($"{device.Device}: waiting for {string.Join(", ", drains.Select(d => d.Model + "/" + d.Replica.ToString(CultureInfo.InvariantCulture)))} to finish {drains.Sum(d => d.InFlight)} less urgent request(s) (drained for {Core.PriorityClasses.Name(waiting)} requests)") with { Drains = drains };
                continue;
            }

            var evictable = onDevice.Where(r => r.Evictable).Sum(r => r.MemoryBytes);
            if (device.HeldBySteps > 0 && evictable < missing && evictable + device.HeldBySteps >= missing)
            {
                // Steps hold what is missing: the memory is the pool's, and serving may claim it back from them.
                reclaim ??= LoadPlan.Refuse($"{device.Device}: needs {ByteSizes.Format(missing - evictable)} more, held by pipeline steps") with { Reclaim = input.Need - evictable };
            }
        }

        return drain ?? reclaim ?? LoadPlan.Refuse(refusal ?? $"no {input.DeviceWords} device is configured");
    }

    /// <summary>
    /// The busy replicas to drain so that, with what idle replicas free, <paramref name="missing"/> bytes come free: ready, not pinned,
    /// serving only requests less urgent than <paramref name="waiting"/>; the least urgent first, then the largest. Null when even all
    /// of them are not enough.
    /// </summary>
    private static List<ReplicaSnapshot>? Drainable(List<ReplicaSnapshot> onDevice, PriorityClass waiting, long missing)
    {
        var freed = onDevice.Where(r => r.Evictable).Sum(r => r.MemoryBytes);
        var drains = new List<ReplicaSnapshot>();
        foreach (var r in onDevice.Where(r => r.State == ReplicaState.Ready && !r.Pinned && r.InFlight > 0 && r.MostUrgentInFlight is { } u && u > waiting)
                     .OrderByDescending(r => r.MostUrgentInFlight).ThenByDescending(r => r.MemoryBytes).ThenBy(r => r.Model, StringComparer.Ordinal))
        {
            if (freed >= missing)
            {
                break;
            }

            drains.Add(r);
            freed += r.MemoryBytes;
        }

        return freed >= missing && drains.Count > 0 ? drains : null;
    }

    /// <summary>
    /// True when <paramref name="replica"/> was loaded for a class more urgent than <paramref name="waiting"/> and its turn (its load
    /// time ÷ 10%, at least 1 s, from when it became ready) is not over: a less urgent load may not take its memory yet.
    /// </summary>
    public static bool Protected(ReplicaSnapshot replica, PriorityClass waiting, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return replica.LoadedFor is { } loadedFor && loadedFor < waiting
            && now - replica.ReadyAt < RotationEvictionPolicy.QuantumOf(replica.LoadCost, RotationEvictionPolicy.DefaultShare, TimeSpan.FromSeconds(1));
    }

    /// <summary>True when a new replica fits on some device now, counting what the idle replicas there would free, the model's own left out (model selection's "can load now").</summary>
    public static bool CanFitNow(LoadInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.EstimateError is not null)
        {
            return false;
        }

        foreach (var device in input.Devices)
        {
            if (device.Budget < input.Need)
            {
                continue;
            }

            var free = device.Free;
            foreach (var r in input.Replicas)
            {
                if (free >= input.Need)
                {
                    break;
                }

                if (r.Account == device.Device && r.Evictable && (input.Model is null || r.Model != input.Model))
                {
                    free += r.MemoryBytes;
                }
            }

            if (free >= input.Need)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when some device's whole budget could hold the model (so a request may wait for memory to free up).</summary>
    public static bool FitsSomeBudget(LoadInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.EstimateError is null && input.Devices.Any(d => d.Budget >= input.Need);
    }

    /// <summary>The replicas on <paramref name="device"/>, those of <paramref name="loading"/> (the model being loaded) left out: evicting one to load another of the same model gains nothing.</summary>
    private static List<ReplicaSnapshot> On(IReadOnlyList<ReplicaSnapshot> replicas, string device, string? loading)
    {
        var on = new List<ReplicaSnapshot>();
        foreach (var r in replicas)
        {
            if (r.Account == device && (loading is null || r.Model != loading))
            {
                on.Add(r);
            }
        }

        return on;
    }
}
