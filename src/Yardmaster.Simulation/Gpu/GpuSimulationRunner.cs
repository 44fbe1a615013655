namespace Yardmaster.Simulation.Gpu;

/// <summary><c>yard simulate --format alibaba-gpu</c>: pods of the openb trace placed on its nodes by each placement policy.</summary>
internal static class GpuSimulationRunner
{
    public static async Task<int> RunAsync(SimulateOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        _ = options;
        _ = output;
        await error.WriteLineAsync("error: the alibaba-gpu simulation is not built yet".AsMemory(), cancellationToken).ConfigureAwait(false);
        return 1;
    }
}
