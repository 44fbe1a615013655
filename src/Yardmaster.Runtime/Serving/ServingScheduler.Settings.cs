using Yardmaster.Core.Configuration;
using Yardmaster.Core.Queueing;

namespace Yardmaster.Runtime.Serving;

/// <content>The scheduler settings in force, and changing them while serving (<c>PUT /api/scheduler</c>, <c>scheduler.adapt</c>).</content>
public sealed partial class ServingScheduler
{
    /// <summary>The scheduler settings in force: yard.yaml's, as last changed by <see cref="Retune"/>.</summary>
    public SchedulerSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="settings"/> in force at once. When the queue policy or an aging bound changed, every model's
    /// queue is rebuilt with <paramref name="queue"/> and its waiting requests enqueued again in arrival order, as if they had
    /// arrived under it, so none is lost or answered twice; a shorter <c>max_queue</c> refuses only newcomers (a queue already longer drains).
    /// A new eviction policy replaces every device's at once and learns from the uses after the change (what the old one
    /// counted is not carried over). The routing policy is not changed here.
    /// </summary>
    public void Retune(SchedulerSettings settings, IQueuePolicy queue)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(queue);
        lock (_gate)
        {
            var rebuild = queue.Name != _policies.Queue.Name || settings.QueueOptions.MaxWait != _settings.QueueOptions.MaxWait
                || !SameWaits(settings.QueueOptions, _settings.QueueOptions);
            if (settings.Eviction != _settings.Eviction && Core.Models.EvictionPolicies.Create(settings.Eviction) is not null)
            {
                var name = settings.Eviction;
                _policies = _policies with { Eviction = () => Core.Models.EvictionPolicies.Create(name)! };
                _eviction.Clear();
            }

            _settings = settings;
            _policies = _policies with { Queue = queue };
            if (!rebuild)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var model in _models.Values)
            {
                var next = queue.CreateQueue(settings.QueueOptions);
                var waiting = new List<QueuedRequest>(model.Queue.Count);
                while (model.Queue.Dequeue(now) is { } request)
                {
                    waiting.Add(request);
                }

                // As if they had arrived under the new policy: in arrival order (ids break ties), which fcfs keeps as is.
                foreach (var request in waiting.OrderBy(r => r.Arrival).ThenBy(r => r.Id))
                {
                    next.Enqueue(request);
                }

                model.Queue = next;
            }
        }
    }

    private static bool SameWaits(QueueOptions a, QueueOptions b) =>
        Core.PriorityClasses.All.All(p => a.MaxWaitFor(p) == b.MaxWaitFor(p));
}
