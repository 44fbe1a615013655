namespace Yardmaster.Inference.Kernels;

/// <summary>Work that a <see cref="ComputePool"/> runs on all its threads at once.</summary>
internal interface IParallelWork
{
    /// <summary>Runs this thread's share. Called once per thread with <paramref name="thread"/> in [0, <paramref name="threads"/>).</summary>
    void Execute(int thread, int threads);
}
