using System.Globalization;
using System.Text.RegularExpressions;
using Yardmaster.Core.Pipelines;

namespace Yardmaster.Executors.Slurm;

/// <summary>
/// Learns the cluster's nodes from <c>scontrol show nodes --oneliner</c> (and the default partition from
/// <c>scontrol show partitions --oneliner</c>), so the ledger can place steps on them and validation can refuse a step
/// larger than any of them.
/// </summary>
public static partial class SlurmNodes
{
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// The nodes of the partition jobs are submitted to (<see cref="SlurmExecutorOptions.Partition"/>, else the
    /// cluster's default partition, else every node), in Slurm's order. Throws <see cref="SlurmCommandException"/>
    /// when <c>scontrol</c> is missing or slurmctld does not answer.
    /// </summary>
    public static async Task<IReadOnlyList<SlurmNode>> DiscoverAsync(SlurmExecutorOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var commands = new SlurmCommands(options, time);
        var nodes = Parse(await commands.OutputAsync("scontrol", ["show", "nodes", "--oneliner"], cancellationToken));
        var partition = options.Partition ?? DefaultPartition(await commands.OutputAsync("scontrol", ["show", "partitions", "--oneliner"], cancellationToken));
        return partition is null ? nodes : [.. nodes.Where(n => n.Partitions.Contains(partition))];
    }

    /// <summary>Reads <c>scontrol show nodes --oneliner</c>: one node a line. Pure; lines without a <c>NodeName</c> are skipped.</summary>
    internal static IReadOnlyList<SlurmNode> Parse(string output)
    {
        var nodes = new List<SlurmNode>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = Fields(line);
            if (!fields.TryGetValue("NodeName", out var name) || name.Length == 0)
            {
                continue;
            }

            var cpus = Number(fields.GetValueOrDefault("CPUEfctv")) ?? Number(fields.GetValueOrDefault("CPUTot")) ?? 0;
            var memory = Number(fields.GetValueOrDefault("RealMemory")) ?? 0;
            var capacity = new NodeCapacity(name, cpus * 1000, memory * MiB, GpuCount(fields.GetValueOrDefault("Gres") ?? ""))
            {
                Engine = Engines.Slurm,
                Address = fields.GetValueOrDefault("NodeAddr") is { Length: > 0 } address ? address : null,
            };
            var partitions = (fields.GetValueOrDefault("Partitions") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            nodes.Add(new SlurmNode(capacity, fields.GetValueOrDefault("State") ?? "UNKNOWN", partitions));
        }

        return nodes;
    }

    /// <summary>
    /// The GPUs of a <c>Gres</c> value: the sum of the counts of its <c>gpu</c> entries (<c>gpu:4</c>, <c>gpu:a100:4(S:0-1)</c>,
    /// <c>gpu:tesla:2,gpu:k80:2</c>; a bare <c>gpu</c> or <c>gpu:TYPE</c> is one); 0 for <c>(null)</c> or none. Pure.
    /// </summary>
    internal static int GpuCount(string gres)
    {
        var total = 0;
        foreach (var entry in TopLevelEntries(gres))
        {
            var plain = entry.Split('(')[0].Trim();
            var parts = plain.Split(':');
            if (parts[0] != "gpu")
            {
                continue;
            }

            total += parts.Length > 1 && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 1;
        }

        return total;
    }

    /// <summary>The <c>PartitionName</c> of the line with <c>Default=YES</c>; null when none is. Pure.</summary>
    internal static string? DefaultPartition(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Fields)
            .FirstOrDefault(f => f.GetValueOrDefault("Default") == "YES")?.GetValueOrDefault("PartitionName");

    /// <summary>The <c>Key=value</c> fields of one line; a value runs to the next <c> Key=</c> (values such as <c>OS=</c> hold spaces).</summary>
    private static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var keys = KeyPattern().Matches(line);
        for (var i = 0; i < keys.Count; i++)
        {
            var start = keys[i].Index + keys[i].Length;
            var end = i + 1 < keys.Count ? keys[i + 1].Index : line.Length;
            fields.TryAdd(keys[i].Groups[1].Value, line[start..end].Trim());
        }

        return fields;
    }

    private static IEnumerable<string> TopLevelEntries(string value)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || (value[i] == ',' && depth == 0))
            {
                yield return value[start..i];
                start = i + 1;
            }
            else if (value[i] == '(')
            {
                depth++;
            }
            else if (value[i] == ')')
            {
                depth = Math.Max(0, depth - 1);
            }
        }
    }

    private static long? Number(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    [GeneratedRegex(@"(?:^|\s)([A-Za-z][A-Za-z0-9_/]*)=")]
    private static partial Regex KeyPattern();
}
