namespace Yardmaster.Cli.Commands;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports synchronously on the reporting thread, in order (unlike
/// <see cref="Progress{T}"/>, which posts to the thread pool and can reorder reports).
/// </summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
