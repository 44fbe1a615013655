using System.Globalization;

namespace Yardmaster.PolicySim.Traces;

/// <summary>Reads <c>azure-llm-2023-conv.csv</c>: <c>TIMESTAMP,ContextTokens,GeneratedTokens</c>.</summary>
internal static class AzureConvTrace
{
    public const string FileName = "azure-llm-2023-conv.csv";

    /// <summary>The requests in time order (stable), offsets from the earliest, and the earliest timestamp.</summary>
    public static (IReadOnlyList<ConvRequest> Requests, DateTimeOffset Start) Read(string path)
    {
        var rows = new List<(DateTimeOffset At, int Context, int Generated)>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            var at = DateTime.ParseExact(f[0], "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            rows.Add((new DateTimeOffset(at, TimeSpan.Zero), int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture)));
        }

        var start = rows.Min(r => r.At);
        var requests = rows
            .Select((r, i) => new ConvRequest(i, r.At - start, r.Context, r.Generated))
            .OrderBy(r => r.Offset)
            .ThenBy(r => r.Row)
            .ToList();
        return (requests, start);
    }
}
