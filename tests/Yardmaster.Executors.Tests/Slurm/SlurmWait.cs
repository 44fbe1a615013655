namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>Polling with a deadline for what a Slurm job writes (its log, a file in the working directory).</summary>
internal static class SlurmWait
{
    /// <summary>Waits until <paramref name="path"/> contains <paramref name="text"/>; fails the test after <paramref name="patience"/>.</summary>
    public static async Task ForTextAsync(string path, string text, TimeSpan patience)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (!(File.Exists(path) && (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"'{text}' did not appear in {path} within {patience.TotalSeconds} s");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after <paramref name="patience"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan patience)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"{what} did not happen within {patience.TotalSeconds} s");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
