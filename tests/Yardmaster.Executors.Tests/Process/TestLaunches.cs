using Yardmaster.Core.Execution;

namespace Yardmaster.Executors.Tests.Process;

/// <summary>Launches of shell steps in a temporary directory: the directory is the working directory, each attempt gets a subdirectory and a log.</summary>
internal static class TestLaunches
{
    public static StepLaunch Shell(TempDirectory dir, string attemptId, string command, long memoryBytes = 0) => new()
    {
        AttemptId = attemptId,
        RunId = "r1",
        StepId = "s1",
        Attempt = 1,
        Command = command,
        WorkingDirectory = dir.Path,
        AttemptDirectory = Directory.CreateDirectory(dir.File(attemptId)).FullName,
        LogPath = dir.File(attemptId + ".log"),
        MemoryBytes = memoryBytes,
    };

    public static async Task<StepExit> RunAsync(IStepExecutor executor, StepLaunch launch)
    {
        var start = await executor.StartAsync(launch, TestContext.Current.CancellationToken);
        Assert.Null(start.Error);
        await using var process = start.Process!;
        return await process.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }
}
