using System.Globalization;
using Yardmaster.Core.Models;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>Every tick: unload replicas idle beyond keep-alive (above the minimum), restart toward the minimum, retry blocked loads.</summary>
    private void Housekeep()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var model in _models.Values)
            {
                if (model.Definition.KeepAlive is { } keepAlive)
                {
                    var ready = model.Count(ReplicaState.Ready);
                    foreach (var r in model.Replicas.Where(r => r.State == ReplicaState.Ready && r.InFlight == 0).OrderBy(r => r.LastUsed).ToList())
                    {
                        if (ready > model.Definition.ReplicasMin && model.Queue.Count == 0 && now - r.LastUsed >= keepAlive)
                        {
                            BeginUnload(r, UnloadReason.Idle, string.Create(CultureInfo.InvariantCulture, $"idle for {(now - r.LastUsed).TotalSeconds:0.#} s (keep_alive)"));
                            ready--;
                        }
                    }
                }
            }

            EnsureMinimums();
            PumpBlocked();
            foreach (var model in _models.Values)
            {
                if (model.Queue.Count > 0)
                {
                    Pump(model);
                }
            }
        }
    }

    private void EnsureMinimums()
    {
        var now = _time.GetUtcNow();
        foreach (var model in _models.Values)
        {
            if (!model.Removed && model.Count(ReplicaState.Loading) == 0 && now >= model.NextLoadAt
                && model.Count(ReplicaState.Ready) < model.Definition.ReplicasMin)
            {
                StartLoad(model, now);
            }
        }
    }
}
