namespace Yardmaster.Core.Admission;

/// <summary>
/// Learns a model's <see cref="TokenRates"/> from its finished requests (prompt tokens, output tokens, service time), as a
/// live server can measure them: an exponentially weighted least-squares fit of time = fixed + prompt × a + output × b with
/// every part at least zero (the non-negative fit of three terms, exact: the best of the unconstrained fits over each subset
/// of the terms whose parts are all non-negative). A token count that did not vary among the recent requests (relative
/// spread under 1%) cannot be told from the fixed part and is left out of the fit. Pure; not thread-safe: the caller locks.
/// </summary>
public sealed class TokenRateFit
{
    /// <summary>Observations needed before <see cref="Rates"/> is given.</summary>
    public const int MinObservations = 8;

    private const int Terms = 3; // 1, prompt, output
    private readonly double _keep;
    private readonly double[,] _cross = new double[Terms, Terms];
    private readonly double[] _timeCross = new double[Terms];
    private double _timeSquares;
    private TokenRates? _rates;
    private bool _stale;

    /// <summary>Makes an empty fit.</summary>
    /// <param name="window">About how many recent requests count: each observation's weight shrinks by 1 − 1/window per later one; at least 2. Default 64.</param>
    public TokenRateFit(int window = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        _keep = 1 - (1.0 / window);
    }

    /// <summary>Observations so far.</summary>
    public long Observations { get; private set; }

    /// <summary>
    /// The fitted rates; null before <see cref="MinObservations"/>, or while neither token count varied (then only a mean
    /// is known, which <see cref="ServiceTimeEstimator.Mean"/> already is).
    /// </summary>
    public TokenRates? Rates
    {
        get
        {
            if (_stale)
            {
                _rates = Fit();
                _stale = false;
            }

            return _rates;
        }
    }

    /// <summary>Adds one finished request.</summary>
    /// <param name="seconds">Its service time in seconds; not negative.</param>
    /// <param name="promptTokens">Its prompt tokens; not negative.</param>
    /// <param name="outputTokens">Its output tokens; not negative.</param>
    public void Observe(double seconds, int promptTokens, int outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        ReadOnlySpan<double> x = [1, promptTokens, outputTokens];
        for (var i = 0; i < Terms; i++)
        {
            _timeCross[i] = (_keep * _timeCross[i]) + (x[i] * seconds);
            for (var j = 0; j < Terms; j++)
            {
                _cross[i, j] = (_keep * _cross[i, j]) + (x[i] * x[j]);
            }
        }

        _timeSquares = (_keep * _timeSquares) + (seconds * seconds);
        Observations++;
        _stale = true;
    }

    private TokenRates? Fit()
    {
        if (Observations < MinObservations)
        {
            return null;
        }

        // Each term scaled to unit root mean square, so that one pivot tolerance fits prompts of 10 and of 40,000 tokens.
        var weight = _cross[0, 0];
        Span<double> scale = stackalloc double[Terms];
        Span<bool> usable = stackalloc bool[Terms];
        scale[0] = 1;
        usable[0] = true;
        for (var k = 1; k < Terms; k++)
        {
            var mean = _cross[0, k] / weight;
            var meanSquare = _cross[k, k] / weight;
            scale[k] = Math.Sqrt(meanSquare);
            usable[k] = mean > 0 && meanSquare - (mean * mean) > 1e-4 * mean * mean;
        }

        if (!usable[1] && !usable[2])
        {
            return null;
        }

        Span<double> best = stackalloc double[Terms];
        Span<double> beta = stackalloc double[Terms];
        var bestError = double.PositiveInfinity;
        var bestMask = 0;
        foreach (var mask in (ReadOnlySpan<int>)[0b010, 0b100, 0b001, 0b110, 0b011, 0b101, 0b111]) // fewer terms first: they win ties
        {
            if (((mask & 0b010) != 0 && !usable[1]) || ((mask & 0b100) != 0 && !usable[2]) || !Solve(mask, scale, beta))
            {
                continue;
            }

            var error = _timeSquares;
            for (var i = 0; i < Terms; i++)
            {
                error -= 2 * beta[i] * _timeCross[i] / scale[i];
                for (var j = 0; j < Terms; j++)
                {
                    error += beta[i] * beta[j] * _cross[i, j] / (scale[i] * scale[j]);
                }
            }

            if (error < bestError - (1e-9 * _timeSquares))
            {
                bestError = error;
                bestMask = mask;
                beta.CopyTo(best);
            }
        }

        return (bestMask & 0b110) == 0 ? null : new TokenRates(best[0] / scale[0], best[1] / scale[1], best[2] / scale[2]);
    }

    /// <summary>The least-squares parts (scaled) over the terms of <paramref name="mask"/>, zero elsewhere; false when singular or a part is below zero.</summary>
    private bool Solve(int mask, ReadOnlySpan<double> scale, Span<double> beta)
    {
        Span<int> terms = stackalloc int[Terms];
        var n = 0;
        for (var k = 0; k < Terms; k++)
        {
            if ((mask & (1 << k)) != 0)
            {
                terms[n++] = k;
            }
        }

        Span<double> a = stackalloc double[Terms * (Terms + 1)];
        var width = n + 1;
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                a[(r * width) + c] = _cross[terms[r], terms[c]] / (scale[terms[r]] * scale[terms[c]]);
            }

            a[(r * width) + n] = _timeCross[terms[r]] / scale[terms[r]];
        }

        // Gaussian elimination with partial pivoting; the scaled matrix has a unit-sized diagonal, so a tiny pivot is a singular one.
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++)
            {
                pivot = Math.Abs(a[(r * width) + col]) > Math.Abs(a[(pivot * width) + col]) ? r : pivot;
            }

            if (Math.Abs(a[(pivot * width) + col]) < 1e-9 * _cross[0, 0])
            {
                return false;
            }

            for (var c = 0; c < width; c++)
            {
                (a[(col * width) + c], a[(pivot * width) + c]) = (a[(pivot * width) + c], a[(col * width) + c]);
            }

            for (var r = 0; r < n; r++)
            {
                if (r != col)
                {
                    var f = a[(r * width) + col] / a[(col * width) + col];
                    for (var c = col; c < width; c++)
                    {
                        a[(r * width) + c] -= f * a[(col * width) + c];
                    }
                }
            }
        }

        beta.Clear();
        for (var r = 0; r < n; r++)
        {
            var value = a[(r * width) + n] / a[(r * width) + r];
            if (value < -1e-9)
            {
                return false;
            }

            beta[terms[r]] = Math.Max(0, value); // an exact zero part may come out a rounding error below zero
        }

        return true;
    }
}
