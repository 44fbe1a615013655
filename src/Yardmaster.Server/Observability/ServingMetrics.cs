using System.Diagnostics.Metrics;
using Yardmaster.Core.Models;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Observability;

/// <summary>
/// The model manager's instruments: gauges read from <see cref="ServingScheduler.Snapshot"/> at each scrape (queue
/// depth, requests in flight, replicas by state, memory per model and device, device budgets) and counters fed by
/// <see cref="ServingScheduler.Changed"/> (loads, load seconds, failed loads, unloads by reason).
/// </summary>
internal sealed class ServingMetrics
{
    private static readonly ReplicaState[] _states = Enum.GetValues<ReplicaState>();
    private readonly ServingScheduler _scheduler;
    private readonly Counter<long> _loads;
    private readonly Counter<long> _loadFailures;
    private readonly Histogram<double> _loadSeconds;
    private readonly Counter<long> _unloads;

    private ServingMetrics(Meter meter, ServingScheduler scheduler)
    {
        _scheduler = scheduler;
        _loads = meter.CreateCounter<long>("yard_model_loads", description: "Replicas that finished loading, by model and device.");
        _loadFailures = meter.CreateCounter<long>("yard_model_load_failures", description: "Replicas that failed to load or whose backend exited, by model and device.");
        _loadSeconds = meter.CreateHistogram<double>("yard_model_load_seconds", "s", "Time to load a replica, by model.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Load });
        _unloads = meter.CreateCounter<long>("yard_model_unloads", description: "Replicas unloaded, by model and reason (evicted, idle, requested, removed, shutdown).");
        meter.CreateObservableGauge("yard_queued_requests", () => Models(m => m.Queued), description: "Requests waiting in each model's queue.");
        meter.CreateObservableGauge("yard_in_flight_requests", () => Models(m => m.InFlight), description: "Requests holding a slot of each model.");
        meter.CreateObservableGauge("yard_replicas", Replicas, description: "Replicas by model and state.");
        meter.CreateObservableGauge("yard_model_memory_bytes", ModelMemory, "By", "Memory held by each model's replicas, by device (the ledger's account: cpu, gpu0, ...).");
        meter.CreateObservableGauge("yard_device_memory_budget_bytes", () => Devices(d => d.Budget), "By", "Each device's memory budget for models.");
        meter.CreateObservableGauge("yard_device_memory_used_bytes", () => Devices(d => d.Used), "By", "Memory charged to each device by models.");
    }

    /// <summary>Creates the instruments and subscribes to the scheduler's events.</summary>
    public static void Register(Meter meter, ServingScheduler scheduler)
    {
        var metrics = new ServingMetrics(meter, scheduler);
        scheduler.Changed += metrics.OnChanged;
    }

    private void OnChanged(ServingEvent e)
    {
        var model = new KeyValuePair<string, object?>("model", e.Model);
        switch (e.Kind)
        {
            case ServingEventKind.Loaded:
                _loads.Add(1, model, new("device", e.Device));
                _loadSeconds.Record((e.Duration ?? TimeSpan.Zero).TotalSeconds, model);
                break;
            case ServingEventKind.Failed:
                _loadFailures.Add(1, model, new("device", e.Device));
                break;
            case ServingEventKind.Unloaded:
                _unloads.Add(1, model, new("reason", e.Unload?.ToString().ToLowerInvariant() ?? "other"));
                break;
        }
    }

    private IEnumerable<Measurement<long>> Models(Func<ModelStatus, long> value) =>
        _scheduler.Snapshot().Models.Select(m => new Measurement<long>(value(m), new KeyValuePair<string, object?>("model", m.Name)));

    private IEnumerable<Measurement<long>> Devices(Func<DeviceStatus, long> value) =>
        _scheduler.Snapshot().Devices.Select(d => new Measurement<long>(value(d), new KeyValuePair<string, object?>("device", d.Device)));

    private IEnumerable<Measurement<long>> Replicas()
    {
        foreach (var model in _scheduler.Snapshot().Models)
        {
            foreach (var state in _states)
            {
                yield return new(model.Replicas.Count(r => r.State == state), new("model", model.Name), new("state", state.ToString().ToLowerInvariant()));
            }
        }
    }

    private IEnumerable<Measurement<long>> ModelMemory() =>
        _scheduler.Snapshot().Models
            .SelectMany(m => m.Replicas.Where(r => r.State != ReplicaState.Unloaded).Select(r => (m.Name, Device: r.Account ?? r.Device.ToString().ToLowerInvariant(), r.MemoryBytes)))
            .GroupBy(r => (r.Name, r.Device))
            .Select(g => new Measurement<long>(g.Sum(r => r.MemoryBytes), new("model", g.Key.Name), new("device", g.Key.Device)));
}
