using Yardmaster.Core.Placement.GpuSharing;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// Reads the openb pod list (<c>name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,…</c>; other columns are ignored);
/// a malformed row (a column that is not a number, a GPU share that is neither whole GPUs nor a part of one) goes to
/// <see cref="TraceProblems"/> and is skipped.
/// </summary>
internal static class AlibabaGpuPodReader
{
    /// <summary>The columns read, in this order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec"];

    /// <summary>The well-formed pods of <paramref name="reader"/>, in file order.</summary>
    /// <exception cref="TraceFormatException">A missing or wrong header; a malformed row with <see cref="TraceProblems.Strict"/>.</exception>
    public static Task<IReadOnlyList<AlibabaGpuPod>> ReadAsync(TextReader reader, TraceProblems problems, CancellationToken cancellationToken) =>
        AlibabaGpuCsv.ReadAsync<AlibabaGpuPod>(reader, problems, Columns, Parse, cancellationToken);

    private static AlibabaGpuPod? Parse(long line, string[] fields, int[] at, out string? problem)
    {
        if (AlibabaGpuCsv.Count(fields, at[1], "cpu_milli", out problem) is not { } cpu
            || AlibabaGpuCsv.Count(fields, at[2], "memory_mib", out problem) is not { } memory
            || AlibabaGpuCsv.Count(fields, at[3], "num_gpu", out problem) is not { } count
            || AlibabaGpuCsv.Count(fields, at[4], "gpu_milli", out problem) is not { } milli)
        {
            return null;
        }

        if (count > 64 || milli > GpuTask.WholeGpu)
        {
            problem = $"num_gpu {count} with gpu_milli {milli}: at most 64 GPUs of at most 1000 thousandths each";
            return null;
        }

        if (new GpuTask(cpu, memory, (int)count, (int)milli).Problem() is { } shape)
        {
            problem = $"num_gpu {count} with gpu_milli {milli}: {shape}";
            return null;
        }

        var spec = fields[at[5]].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new AlibabaGpuPod(line, fields[at[0]].Trim(), cpu, memory, (int)count, (int)milli, spec);
    }
}
