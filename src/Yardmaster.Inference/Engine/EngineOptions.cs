namespace Yardmaster.Inference.Engine;

/// <summary>Capacity of an <see cref="InferenceEngine"/>. Validated by <see cref="Validate"/>.</summary>
public sealed class EngineOptions
{
    /// <summary>Sequences decoded at once (continuous batching). Default 4.</summary>
    public int Slots { get; set; } = 4;

    /// <summary>Positions per sequence, prompt plus generated tokens; 0 means the model's own, capped at 4096. Default 0.</summary>
    public int ContextLength { get; set; }

    /// <summary>Compute threads; 0 means one per processor. Default 0.</summary>
    public int Threads { get; set; }

    /// <summary>Requests that may wait for a slot; more are refused. Default 64.</summary>
    public int MaxQueue { get; set; } = 64;

    /// <summary>Most tokens in one forward batch (decode tokens plus prompt chunks). Default 128.</summary>
    public int MaxBatchTokens { get; set; } = 128;

    /// <summary>
    /// A request that finds every slot busy takes the slot of a less urgent sequence (<see cref="GenerationRequest.Priority"/>),
    /// which waits at the head of its priority and resumes where it stopped: its keys and values are kept while the part of
    /// the slots' caches no sequence has touched can hold them, else recomputed when it resumes. Default true.
    /// </summary>
    public bool Preempt { get; set; } = true;

    /// <summary>
    /// Requests of this priority or less urgent are background work (the server's classes: 3 is <c>low</c>, 4 <c>batch</c>): a
    /// forward pass of background sequences alone runs on <see cref="InferenceEngine.BackgroundThreads"/> threads when that is
    /// set. Default 3.
    /// </summary>
    public int BackgroundPriority { get; set; } = 3;

    /// <summary>Every invalid option, named; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Slots is < 1 or > 256)
        {
            errors.Add($"slots must be between 1 and 256, got {Slots}");
        }

        if (ContextLength is < 0 or > 1 << 20)
        {
            errors.Add($"ctx must be between 1 and {1 << 20} (0 for the model's), got {ContextLength}");
        }

        if (Threads is < 0 or > 1024)
        {
            errors.Add($"threads must be between 1 and 1024 (0 for one per processor), got {Threads}");
        }

        if (MaxQueue is < 0 or > 1_000_000)
        {
            errors.Add($"queue must be between 0 and 1000000, got {MaxQueue}");
        }

        if (MaxBatchTokens is < 1 or > 8192)
        {
            errors.Add($"batch must be between 1 and 8192, got {MaxBatchTokens}");
        }

        return errors;
    }
}
