namespace Yardmaster.Inference.Tests.Catalog;

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, in order.</summary>
public sealed class InlineProgress(Action<Yardmaster.Inference.Catalog.ModelPullProgress> report)
    : IProgress<Yardmaster.Inference.Catalog.ModelPullProgress>
{
    public void Report(Yardmaster.Inference.Catalog.ModelPullProgress value) => report(value);
}
