using Yardmaster.Core.Serving;

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
                UnloadIdle(model, now);
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
            if (ServingPass.BelowMinimum(model.State(Budget(model)), now))
            {
                StartLoad(model, now);
            }
        }
    }
}
