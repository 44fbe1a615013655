using System.Text;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Engine;

/// <summary>
/// Turns a sequence's token bytes into text deltas: completes UTF-8 characters split across tokens,
/// cuts the text at the first stop string, and holds back a tail that could still become one.
/// Not thread-safe: one per sequence.
/// </summary>
internal sealed class StopTextFilter
{
    private readonly Utf8StreamDecoder _decoder = new();
    private readonly IReadOnlyList<string> _stops;
    private readonly int _longestStop;
    private readonly StringBuilder _text = new();
    private int _emitted;

    public StopTextFilter(IReadOnlyList<string> stops)
    {
        _stops = stops;
        _longestStop = stops.Count == 0 ? 0 : stops.Max(s => s.Length);
    }

    /// <summary>True once a stop string was found; no more text follows.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds a token's bytes; returns the text that may be sent now (possibly empty).</summary>
    public string Append(ReadOnlySpan<byte> bytes, bool flush = false)
    {
        if (Stopped)
        {
            return string.Empty;
        }

        _text.Append(flush ? _decoder.Decode(bytes) + _decoder.Flush() : _decoder.Decode(bytes));
        return Release(flush);
    }

    /// <summary>Ends the sequence: returns whatever is still held back.</summary>
    public string Flush() => Append([], flush: true);

    private string Release(bool final)
    {
        if (_stops.Count > 0)
        {
            var from = Math.Max(0, _emitted - _longestStop);
            var text = _text.ToString(from, _text.Length - from);
            var cut = -1;
            foreach (var stop in _stops)
            {
                var at = text.IndexOf(stop, StringComparison.Ordinal);
                if (at >= 0 && (cut < 0 || at < cut))
                {
                    cut = at;
                }
            }

            if (cut >= 0)
            {
                Stopped = true;
                return Take(Math.Max(_emitted, from + cut));
            }

            if (!final)
            {
                return Take(_text.Length - HeldBack(text));
            }
        }

        return Take(_text.Length);
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that begins some stop string.</summary>
    private int HeldBack(string text)
    {
        for (var k = Math.Min(_longestStop - 1, text.Length); k > 0; k--)
        {
            var suffix = text.AsSpan(text.Length - k);
            foreach (var stop in _stops)
            {
                if (stop.AsSpan().StartsWith(suffix, StringComparison.Ordinal))
                {
                    return k;
                }
            }
        }

        return 0;
    }

    private string Take(int end)
    {
        if (end <= _emitted)
        {
            return string.Empty;
        }

        var s = _text.ToString(_emitted, end - _emitted);
        _emitted = end;
        return s;
    }
}
