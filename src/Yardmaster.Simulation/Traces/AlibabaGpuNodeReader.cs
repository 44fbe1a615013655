using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Simulation.Traces;

/// <summary>Reads the openb node list (<c>sn,cpu_milli,memory_mib,gpu,model</c>); a malformed row goes to <see cref="TraceProblems"/> and is skipped.</summary>
internal static class AlibabaGpuNodeReader
{
    /// <summary>The columns read, in this order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["sn", "cpu_milli", "memory_mib", "gpu", "model"];

    /// <summary>The well-formed nodes of <paramref name="reader"/>, in file order.</summary>
    /// <exception cref="TraceFormatException">A missing or wrong header; a malformed row with <see cref="TraceProblems.Strict"/>.</exception>
    public static Task<IReadOnlyList<AlibabaGpuNode>> ReadAsync(TextReader reader, TraceProblems problems, CancellationToken cancellationToken) =>
        AlibabaGpuCsv.ReadAsync<AlibabaGpuNode>(reader, problems, Columns, Parse, cancellationToken);

    private static AlibabaGpuNode? Parse(long line, string[] fields, int[] at, out string? problem)
    {
        if (AlibabaGpuCsv.Count(fields, at[1], "cpu_milli", out problem) is not { } cpu
            || AlibabaGpuCsv.Count(fields, at[2], "memory_mib", out problem) is not { } memory
            || AlibabaGpuCsv.Count(fields, at[3], "gpu", out problem) is not { } gpus)
        {
            return null;
        }

        var model = fields[at[4]].Trim();
        if (gpus > GpuCluster.MaxGpusPerNode)
        {
            problem = $"gpu {gpus} is above the {GpuCluster.MaxGpusPerNode} GPUs per node the simulation models";
            return null;
        }

        if (gpus > 0 && model.Length == 0)
        {
            problem = "model is empty on a node with GPUs";
            return null;
        }

        return new AlibabaGpuNode(line, fields[at[0]].Trim(), cpu, memory, (int)gpus, model);
    }
}
