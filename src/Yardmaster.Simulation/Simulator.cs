using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation;

/// <summary>The entry of <c>yard simulate</c>: runs the simulation of the trace's kind and writes its outputs.</summary>
public static class Simulator
{
    /// <summary>Runs it; returns the process exit code (0 done, 1 failed, 2 bad input) having written what went wrong to <paramref name="error"/>.</summary>
    public static Task<int> RunAsync(SimulateOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Format switch
        {
            TraceFormat.AlibabaGpu => Gpu.GpuSimulationRunner.RunAsync(options, output, error, cancellationToken),
            _ => Serving.ServingSimulationRunner.RunAsync(options, output, error, cancellationToken),
        };
    }
}
