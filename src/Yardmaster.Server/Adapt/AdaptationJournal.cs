using Yardmaster.Core.Configuration;

namespace Yardmaster.Server.Adapt;

/// <summary>
/// The changes made to the scheduler settings while serving, newest last, and the last check of <c>scheduler.adapt</c>.
/// Kept in memory: a restarted server starts again from yard.yaml's settings, and so does its journal. Thread-safe.
/// </summary>
internal sealed class AdaptationJournal
{
    private readonly Lock _gate = new();
    private readonly List<Adaptation> _entries = [];
    private AdaptCheck? _lastCheck;

    /// <summary>Every change, oldest first.</summary>
    public IReadOnlyList<Adaptation> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The last check of <c>scheduler.adapt</c>; null before the first.</summary>
    public AdaptCheck? LastCheck
    {
        get
        {
            lock (_gate)
            {
                return _lastCheck;
            }
        }
    }

    /// <summary>The change being measured (status <c>applied</c>, source <c>adapt</c>); null when none.</summary>
    public Adaptation? Measuring
    {
        get
        {
            lock (_gate)
            {
                return _entries.LastOrDefault(e => e is { Status: "applied", Source: "adapt" });
            }
        }
    }

    /// <summary>Records a change just put in force (status <c>applied</c>); one still in that state is marked superseded.</summary>
    public Adaptation Add(DateTimeOffset at, string source, SchedulerSettings from, SchedulerSettings to, Simulation.Tuning.TuneResult? search, Simulation.Tuning.AdaptMeasurement? before)
    {
        lock (_gate)
        {
            for (var i = 0; i < _entries.Count; i++)
            {
                if (_entries[i].Status == "applied")
                {
                    _entries[i] = _entries[i] with { Status = "superseded", Note = $"change {_entries.Count + 1} ({source}) came before it was judged" };
                }
            }

            var entry = new Adaptation(_entries.Count + 1, at, source, "applied", from, to, search, before, null, null);
            _entries.Add(entry);
            return entry;
        }
    }

    /// <summary>Replaces entry <paramref name="entry"/>'s record (same id) with its judged state.</summary>
    public void Update(Adaptation entry)
    {
        lock (_gate)
        {
            _entries[entry.Id - 1] = entry;
        }
    }

    /// <summary>Records the last check.</summary>
    public void Checked(AdaptCheck check)
    {
        lock (_gate)
        {
            _lastCheck = check;
        }
    }
}
