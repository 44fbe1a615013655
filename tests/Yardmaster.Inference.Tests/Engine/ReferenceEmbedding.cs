using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Tests.Engine;

/// <summary>
/// A deliberately plain llama forward pass, independent of the runtime's (no kernels, no KV cache, no
/// batching): weights dequantised to float arrays, every step a loop in double precision. Used to check the
/// runtime's embeddings: the final hidden states after the output norm, mean-pooled, then L2-normalised.
/// </summary>
internal sealed class ReferenceEmbedding
{
    private readonly GgufFile _file;
    private readonly int _dim;
    private readonly int _layers;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _ropeDims;
    private readonly double _ropeBase;
    private readonly double _eps;

    public ReferenceEmbedding(GgufFile file)
    {
        _file = file;
        _dim = (int)file.GetInt64("llama.embedding_length", -1);
        _layers = (int)file.GetInt64("llama.block_count", -1);
        _heads = (int)file.GetInt64("llama.attention.head_count", -1);
        _kvHeads = (int)file.GetInt64("llama.attention.head_count_kv", _heads);
        _headDim = _dim / _heads;
        _ropeDims = (int)file.GetInt64("llama.rope.dimension_count", _headDim);
        _ropeBase = file.GetSingle("llama.rope.freq_base", 10000f);
        _eps = file.GetSingle("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    }

    public float[] Embed(int[] tokens)
    {
        var n = tokens.Length;
        var embedding = Weights("token_embd.weight");
        var x = new double[n][];
        for (var t = 0; t < n; t++)
        {
            x[t] = [.. embedding.AsSpan(tokens[t] * _dim, _dim).ToArray().Select(v => (double)v)];
        }

        for (var l = 0; l < _layers; l++)
        {
            Block(l, x);
        }

        var outputNorm = Weights("output_norm.weight");
        var pooled = new double[_dim];
        foreach (var h in x)
        {
            var normed = RmsNorm(h, outputNorm);
            for (var i = 0; i < _dim; i++)
            {
                pooled[i] += normed[i] / n;
            }
        }

        var norm = Math.Sqrt(pooled.Sum(v => v * v));
        return [.. pooled.Select(v => (float)(v / norm))];
    }

    private void Block(int l, double[][] x)
    {
        var p = $"blk.{l}.";
        var n = x.Length;
        var kvDim = _kvHeads * _headDim;
        var q = new double[n][];
        var k = new double[n][];
        var v = new double[n][];
        for (var t = 0; t < n; t++)
        {
            var h = RmsNorm(x[t], Weights(p + "attn_norm.weight"));
            q[t] = Rope(MatVec(p + "attn_q.weight", h, _dim), t);
            k[t] = Rope(MatVec(p + "attn_k.weight", h, kvDim), t);
            v[t] = MatVec(p + "attn_v.weight", h, kvDim);
        }

        for (var t = 0; t < n; t++)
        {
            var attended = new double[_heads * _headDim];
            for (var head = 0; head < _heads; head++)
            {
                var kvHead = head / (_heads / _kvHeads);
                var scores = new double[t + 1];
                for (var s = 0; s <= t; s++)
                {
                    double dot = 0;
                    for (var i = 0; i < _headDim; i++)
                    {
                        dot += q[t][(head * _headDim) + i] * k[s][(kvHead * _headDim) + i];
                    }

                    scores[s] = dot / Math.Sqrt(_headDim);
                }

                var max = scores.Max();
                var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
                var total = weights.Sum();
                for (var s = 0; s <= t; s++)
                {
                    for (var i = 0; i < _headDim; i++)
                    {
                        attended[(head * _headDim) + i] += weights[s] / total * v[s][(kvHead * _headDim) + i];
                    }
                }
            }

            Add(x[t], MatVec(p + "attn_output.weight", attended, _dim));
        }

        var hidden = (int)Info(p + "ffn_gate.weight").Dimensions[1];
        for (var t = 0; t < n; t++)
        {
            var h = RmsNorm(x[t], Weights(p + "ffn_norm.weight"));
            var gate = MatVec(p + "ffn_gate.weight", h, hidden);
            var up = MatVec(p + "ffn_up.weight", h, hidden);
            var act = new double[hidden];
            for (var i = 0; i < hidden; i++)
            {
                act[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
            }

            Add(x[t], MatVec(p + "ffn_down.weight", act, _dim));
        }
    }

    /// <summary>llama.cpp's "normal" RoPE: each head's adjacent pairs (2i, 2i+1) of its first dimensions turned by pos·base^(-2i/d).</summary>
    private double[] Rope(double[] vector, int position)
    {
        var r = (double[])vector.Clone();
        for (var head = 0; head < vector.Length / _headDim; head++)
        {
            for (var i = 0; i < _ropeDims; i += 2)
            {
                var angle = position * Math.Pow(_ropeBase, -(double)i / _ropeDims);
                var (a, b) = (vector[(head * _headDim) + i], vector[(head * _headDim) + i + 1]);
                r[(head * _headDim) + i] = (a * Math.Cos(angle)) - (b * Math.Sin(angle));
                r[(head * _headDim) + i + 1] = (a * Math.Sin(angle)) + (b * Math.Cos(angle));
            }
        }

        return r;
    }

    private double[] RmsNorm(double[] x, float[] weight)
    {
        var scale = 1 / Math.Sqrt((x.Sum(v => v * v) / x.Length) + _eps);
        return [.. x.Select((v, i) => v * scale * weight[i])];
    }

    private double[] MatVec(string name, double[] x, int rows)
    {
        var w = Weights(name);
        var columns = x.Length;
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            double sum = 0;
            for (var c = 0; c < columns; c++)
            {
                sum += w[(r * columns) + c] * x[c];
            }

            y[r] = sum;
        }

        return y;
    }

    private static void Add(double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }

    private GgufTensorInfo Info(string name) =>
        _file.TryGetTensor(name, out var t) ? t : throw new InvalidOperationException($"no tensor {name}");

    /// <summary>A tensor's elements in file order (row-major, rows of <c>Dimensions[0]</c>), F32 and F16 only.</summary>
    private float[] Weights(string name)
    {
        var info = Info(name);
        var bytes = _file.TensorBytes(info);
        return info.Type switch
        {
            GgmlType.F32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            GgmlType.F16 => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h)],
            _ => throw new InvalidOperationException($"{name} is {info.Type}; the reference reads F32 and F16"),
        };
    }
}
