using System.Globalization;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// The token model of one model's replica: a request holds one slot for its prompt at the prefill rate plus its output at
/// the decode rate, each a rate per sequence that depends on how many sequences the replica runs at once (a table by
/// sequences, as <c>yard model bench --concurrency</c> measures it: linear between rows, the first row's below it, the
/// last row's beyond it; one row is the same rate at every concurrency), and a load takes <see cref="LoadTime"/> (null:
/// sampled from the load-latency trace when given, else 2 s). Immutable; thread-safe.
/// </summary>
internal sealed class ModelSpeed
{
    private readonly double[] _prefill;
    private readonly double[] _decode;
    private readonly double _slowestPrefill;
    private readonly double _slowestDecode;

    /// <summary>The same rates at every concurrency.</summary>
    /// <param name="prefillTokensPerSecond">Prompt tokens per second per sequence.</param>
    /// <param name="decodeTokensPerSecond">Output tokens per second per sequence.</param>
    /// <param name="loadTime">How long a load takes; null to sample.</param>
    public ModelSpeed(double prefillTokensPerSecond, double decodeTokensPerSecond, TimeSpan? loadTime)
        : this([new ConcurrencySpeedSettings(1, prefillTokensPerSecond, decodeTokensPerSecond)], loadTime)
    {
    }

    /// <summary>Rates by sequences at once.</summary>
    /// <param name="table">At least one row, by strictly increasing sequences (at least 1), rates above 0 (the config's validator checks this).</param>
    /// <param name="loadTime">How long a load takes; null to sample.</param>
    public ModelSpeed(IReadOnlyList<ConcurrencySpeedSettings> table, TimeSpan? loadTime)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Count == 0)
        {
            throw new ArgumentException("a token model needs at least one row", nameof(table));
        }

        Table = table;
        LoadTime = loadTime;
        var last = table[^1].Sequences;
        _prefill = new double[last + 1];
        _decode = new double[last + 1];
        for (var n = 0; n <= last; n++)
        {
            (_prefill[n], _decode[n]) = Interpolate(table, n);
        }

        _slowestPrefill = _prefill.Skip(1).Min();
        _slowestDecode = _decode.Skip(1).Min();
        Constant = table.All(r => r.PrefillTokensPerSecond == table[0].PrefillTokensPerSecond && r.DecodeTokensPerSecond == table[0].DecodeTokensPerSecond);
    }

    /// <summary>The rows it was made from.</summary>
    public IReadOnlyList<ConcurrencySpeedSettings> Table { get; }

    /// <summary>How long a load takes; null to sample.</summary>
    public TimeSpan? LoadTime { get; }

    /// <summary>True when every concurrency has the same rates (no request's progress depends on the others').</summary>
    public bool Constant { get; }

    /// <summary>Prompt tokens per second of a sequence alone.</summary>
    public double PrefillTokensPerSecond => _prefill[1];

    /// <summary>Output tokens per second of a sequence alone.</summary>
    public double DecodeTokensPerSecond => _decode[1];

    /// <summary>The token model of a model's <c>simulation:</c> settings: the table when given, else the scalar rates.</summary>
    public static ModelSpeed From(ModelSpeedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Concurrency is { Count: > 0 } table
            ? new ModelSpeed(table, settings.LoadTime)
            : new ModelSpeed(settings.PrefillTokensPerSecond, settings.DecodeTokensPerSecond, settings.LoadTime);
    }

    /// <summary>The longest a request of these lengths can take, whatever else runs beside it (the slowest rates at any concurrency).</summary>
    public TimeSpan Slowest(int promptTokens, int outputTokens) => TimeSpan.FromSeconds((promptTokens / _slowestPrefill) + (outputTokens / _slowestDecode));

    /// <summary>Prompt tokens per second per sequence while <paramref name="sequences"/> run at once.</summary>
    public double PrefillAt(int sequences) => _prefill[Math.Clamp(sequences, 1, _prefill.Length - 1)];

    /// <summary>Output tokens per second per sequence while <paramref name="sequences"/> run at once.</summary>
    public double DecodeAt(int sequences) => _decode[Math.Clamp(sequences, 1, _decode.Length - 1)];

    /// <summary>Time to the first token of a request of <paramref name="promptTokens"/> alone on its replica.</summary>
    public TimeSpan Prefill(int promptTokens) => TimeSpan.FromSeconds(promptTokens / PrefillTokensPerSecond);

    /// <summary>Time a request holds its slot alone on its replica.</summary>
    public TimeSpan Service(int promptTokens, int outputTokens) => Prefill(promptTokens) + TimeSpan.FromSeconds(outputTokens / DecodeTokensPerSecond);

    /// <summary>The rates in words, e.g. "prefill 4000 and decode 100 tokens/s per sequence", or per sequences at once with a table.</summary>
    public string Describe() => Constant
        ? string.Create(CultureInfo.InvariantCulture, $"prefill {PrefillTokensPerSecond:0.#} and decode {DecodeTokensPerSecond:0.#} tokens/s per sequence")
        : "prefill / decode tokens/s per sequence with " + string.Join(", ", Table.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Sequences} at once {r.PrefillTokensPerSecond:0.#} / {r.DecodeTokensPerSecond:0.#}")));

    private static (double Prefill, double Decode) Interpolate(IReadOnlyList<ConcurrencySpeedSettings> table, int n)
    {
        if (n <= table[0].Sequences)
        {
            return (table[0].PrefillTokensPerSecond, table[0].DecodeTokensPerSecond);
        }

        for (var i = 1; i < table.Count; i++)
        {
            var (low, high) = (table[i - 1], table[i]);
            if (n == high.Sequences)
            {
                return (high.PrefillTokensPerSecond, high.DecodeTokensPerSecond);
            }

            if (n < high.Sequences)
            {
                var f = (double)(n - low.Sequences) / (high.Sequences - low.Sequences);
                return (low.PrefillTokensPerSecond + (f * (high.PrefillTokensPerSecond - low.PrefillTokensPerSecond)),
                    low.DecodeTokensPerSecond + (f * (high.DecodeTokensPerSecond - low.DecodeTokensPerSecond)));
            }
        }

        return (table[^1].PrefillTokensPerSecond, table[^1].DecodeTokensPerSecond);
    }
}
