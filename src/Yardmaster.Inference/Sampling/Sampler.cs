namespace Yardmaster.Inference.Sampling;

/// <summary>
/// Chooses tokens for one sequence under <see cref="SamplingOptions"/>. Keeps the recent tokens the
/// penalties look at and its own seeded random source. Not thread-safe: one per sequence.
/// </summary>
public sealed class Sampler
{
    private readonly SamplingOptions _options;
    private readonly Random _random;
    private readonly Queue<int> _recent = new();
    private readonly Dictionary<int, int> _counts = [];
    private float[] _work = [];
    private int[] _ids = [];

    /// <summary>Creates a sampler; <paramref name="history"/> (usually the prompt) seeds the penalty window.</summary>
    public Sampler(SamplingOptions options, IEnumerable<int>? history = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var seed = options.Seed ?? (ulong)Random.Shared.NextInt64();
        _random = new Random((int)(seed ^ (seed >> 32)));
        foreach (var t in history ?? [])
        {
            Accept(t);
        }
    }

    /// <summary>Records a token as generated (or given), for the penalties.</summary>
    public void Accept(int token)
    {
        if (_options.PenaltyWindow == 0)
        {
            return;
        }

        _recent.Enqueue(token);
        _counts[token] = _counts.GetValueOrDefault(token) + 1;
        if (_recent.Count > _options.PenaltyWindow)
        {
            var old = _recent.Dequeue();
            if (--_counts[old] == 0)
            {
                _counts.Remove(old);
            }
        }
    }

    /// <summary>Chooses the next token from <paramref name="logits"/> and records it.</summary>
    public int Sample(ReadOnlySpan<float> logits)
    {
        if (_work.Length != logits.Length)
        {
            _work = new float[logits.Length];
            _ids = new int[logits.Length];
        }

        logits.CopyTo(_work);
        ApplyPenalties(_work);
        var token = _options.Temperature <= 0 ? ArgMax(_work) : Draw(_work);
        Accept(token);
        return token;
    }

    private void ApplyPenalties(float[] logits)
    {
        var o = _options;
        if (o.RepetitionPenalty == 1 && o.FrequencyPenalty == 0 && o.PresencePenalty == 0)
        {
            return;
        }

        foreach (var (token, count) in _counts)
        {
            if ((uint)token >= (uint)logits.Length)
            {
                continue;
            }

            ref var l = ref logits[token];
            l = l > 0 ? l / o.RepetitionPenalty : l * o.RepetitionPenalty;
            l -= (count * o.FrequencyPenalty) + o.PresencePenalty;
        }
    }

    private int Draw(float[] logits)
    {
        var o = _options;
        var n = logits.Length;
        // Candidates sorted by logit, descending; with top-k only the best k are kept (a heap, O(n log k)).
        var k = o.TopK > 0 ? Math.Min(o.TopK, n) : n;
        float[] keys;
        if (k < n)
        {
            var heap = new PriorityQueue<int, float>(k + 1);
            for (var i = 0; i < n; i++)
            {
                if (heap.Count < k)
                {
                    heap.Enqueue(i, logits[i]);
                }
                else if (heap.TryPeek(out _, out var smallest) && logits[i] > smallest)
                {
                    heap.EnqueueDequeue(i, logits[i]);
                }
            }

            keys = new float[k];
            for (var i = k - 1; i >= 0; i--)
            {
                heap.TryDequeue(out _ids[i], out keys[i]);
            }
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                _ids[i] = i;
            }

            keys = logits.AsSpan(0, n).ToArray();
            Array.Sort(keys, _ids, Comparer<float>.Create((a, b) => b.CompareTo(a)));
        }

        var candidates = k;

        // Probabilities before temperature, for top-p and min-p (as llama.cpp orders them).
        var max = keys[0];
        var sum = 0.0;
        for (var i = 0; i < candidates; i++)
        {
            sum += Math.Exp(keys[i] - max);
        }

        if (o.TopP < 1)
        {
            var cumulative = 0.0;
            for (var i = 0; i < candidates; i++)
            {
                cumulative += Math.Exp(keys[i] - max) / sum;
                if (cumulative >= o.TopP)
                {
                    candidates = i + 1;
                    break;
                }
            }
        }

        if (o.MinP > 0)
        {
            var threshold = max + MathF.Log(o.MinP);
            var kept = 1;
            while (kept < candidates && keys[kept] >= threshold)
            {
                kept++;
            }

            candidates = kept;
        }

        var weights = new double[candidates];
        var total = 0.0;
        for (var i = 0; i < candidates; i++)
        {
            weights[i] = Math.Exp((keys[i] - max) / o.Temperature);
            total += weights[i];
        }

        var r = _random.NextDouble() * total;
        for (var i = 0; i < candidates; i++)
        {
            r -= weights[i];
            if (r <= 0)
            {
                return _ids[i];
            }
        }

        return _ids[candidates - 1];
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
