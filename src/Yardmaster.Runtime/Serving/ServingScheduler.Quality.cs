using Yardmaster.Core.Registry;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>The latest score per model and metric, read by selection for tasks with a quality floor. Replaced whole.</summary>
    private Dictionary<(string Model, string Metric), double> _quality = [];

    /// <summary>
    /// Replaces the quality scores selection reads (the latest measurement per model and metric, as
    /// <see cref="IRegistryStore.ListQualityAsync"/> lists them). Thread-safe; takes effect for the next admitted request.
    /// </summary>
    public void SetQuality(IEnumerable<ModelQuality> latest)
    {
        ArgumentNullException.ThrowIfNull(latest);
        var scores = new Dictionary<(string, string), double>();
        foreach (var q in latest)
        {
            scores.TryAdd((q.Model, q.Metric), q.Score); // the list is newest first
        }

        lock (_gate)
        {
            _quality = scores;
        }
    }

    private double? QualityOf(string model, string? metric) =>
        metric is not null && _quality.TryGetValue((model, metric), out var score) ? score : null;
}
