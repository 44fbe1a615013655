namespace Yardmaster.Simulation.Serving;

/// <summary><c>yard simulate</c> of an inference trace (azure-llm, mooncake, alibaba-genai, yard) through the server's own serving pass.</summary>
internal static class ServingSimulationRunner
{
    public static async Task<int> RunAsync(SimulateOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        _ = options;
        _ = output;
        await error.WriteLineAsync("error: the serving simulation is not built yet".AsMemory(), cancellationToken).ConfigureAwait(false);
        return 1;
    }
}
