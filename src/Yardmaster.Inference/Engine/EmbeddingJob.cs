using Yardmaster.Inference.Llama;

namespace Yardmaster.Inference.Engine;

/// <summary>
/// An embedding request's life inside the engine: queued, then its inputs fed through one slot. Inputs are
/// packed end to end in the slot's cache (each attends only to itself), so many short inputs share one
/// forward batch. Touched only by the engine loop after admission.
/// </summary>
internal sealed class EmbeddingJob(IReadOnlyList<int[]> inputs, int priority, long order, int width, long enqueuedAt, CancellationToken cancellation)
{
    private readonly float[][] _sums = [.. inputs.Select(_ => new float[width])];
    private readonly List<int> _fed = [];
    private int _next;
    private int _taken;
    private int _start;
    private int _cursor;
    private int _finished;

    public IReadOnlyList<int[]> Inputs { get; } = inputs;

    public CancellationToken Cancellation { get; } = cancellation;

    public long EnqueuedAt { get; } = enqueuedAt;

    /// <summary>Urgency (<see cref="EmbeddingRequest.Priority"/>).</summary>
    public int Priority { get; } = priority;

    /// <summary>Arrival order among all requests.</summary>
    public long Order { get; } = order;

    public TaskCompletionSource<EmbeddingResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Slot? Slot { get; set; }

    public int PromptTokens => Inputs.Sum(i => i.Length);

    public bool Complete => _finished == Inputs.Count;

    /// <summary>One vector per input, in input order; each final once its input is finished.</summary>
    public IReadOnlyList<float[]> Vectors => _sums;

    /// <summary>
    /// Adds up to <paramref name="budget"/> tokens to <paramref name="batch"/>, returns how many. An input that
    /// does not fit in the rest of the cache starts over at position 0, but only at the start of a batch: in
    /// the same batch it would overwrite keys that tokens added earlier still attend to.
    /// </summary>
    public int Feed(List<BatchToken> batch, int budget)
    {
        var cache = Slot!.Cache;
        var used = 0;
        _fed.Clear();
        while (used < budget && _next < Inputs.Count)
        {
            var input = Inputs[_next];
            if (_taken == 0)
            {
                if (_cursor + input.Length > cache.Capacity)
                {
                    if (used > 0)
                    {
                        break;
                    }

                    _cursor = 0;
                }

                _start = _cursor;
            }

            var n = Math.Min(input.Length - _taken, budget - used);
            for (var i = 0; i < n; i++)
            {
                var position = _start + _taken + i;
                batch.Add(new BatchToken(cache, input[_taken + i], position, WantLogits: false) { Start = _start, Pool = _sums[_next] });
            }

            _taken += n;
            used += n;
            if (_taken < input.Length)
            {
                break;
            }

            _fed.Add(_next);
            _cursor = _start + input.Length;
            _next++;
            _taken = 0;
        }

        return used;
    }

    /// <summary>After the batch ran: the inputs it finished become their embeddings (mean, then L2-normalised).</summary>
    public void Advance()
    {
        foreach (var i in _fed)
        {
            Normalize(_sums[i], Inputs[i].Length);
            _finished++;
        }

        _fed.Clear();
    }

    /// <summary>Divides by the token count (mean pooling) then by the Euclidean norm, as llama.cpp's server does.</summary>
    private static void Normalize(float[] v, int tokens)
    {
        double sum = 0;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] /= tokens;
            sum += (double)v[i] * v[i];
        }

        var scale = sum > 0 ? (float)(1 / Math.Sqrt(sum)) : 0f;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] *= scale;
        }
    }
}
