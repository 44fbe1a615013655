using Yardmaster.Core.Admission;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Serving;

/// <summary>A task's live counters: requests admitted and not yet finished, and its rate bucket. Guarded by the scheduler's lock.</summary>
internal sealed class TaskEntry(TaskDefinition definition)
{
    public TaskDefinition Definition { get; set; } = definition;

    /// <summary>Admitted, not yet released: queued plus running.</summary>
    public int Admitted { get; set; }

    public TokenBucket? Bucket { get; set; }

    /// <summary>Requests admitted to a model below the task's quality floor (none met it), since the server started.</summary>
    public long QualityUnmet { get; set; }
}
