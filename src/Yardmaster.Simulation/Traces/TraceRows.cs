using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// The requests a reader found, gathered as plain values and turned into <see cref="TraceRequest"/>s at the end: sorted
/// stably by arrival (the trace's order among equal times) and offset from the earliest. Not thread-safe.
/// </summary>
internal sealed class TraceRows
{
    private Row[] _rows = new Row[1024];
    private int _count;

    /// <summary>Adds one request arriving at <paramref name="ticks"/> (any epoch: only differences count).</summary>
    public void Add(long line, long ticks, int prompt, int output, string? model = null, string? task = null, string? priority = null, TimeSpan? service = null, long[]? prefix = null)
    {
        if (_count == _rows.Length)
        {
            Array.Resize(ref _rows, _count * 2);
        }

        _rows[_count++] = new Row(ticks, line, prompt, output, model, task, priority, service, prefix);
    }

    /// <summary>The requests, by arrival, the first at offset zero.</summary>
    public IReadOnlyList<TraceRequest> Finish()
    {
        var rows = _rows.AsSpan(0, _count);
        rows.Sort(static (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Line.CompareTo(b.Line));
        var first = _count > 0 ? rows[0].Ticks : 0;
        var requests = new TraceRequest[_count];
        for (var i = 0; i < requests.Length; i++)
        {
            ref readonly var r = ref rows[i];
            requests[i] = new TraceRequest(r.Line, TimeSpan.FromTicks(r.Ticks - first), r.Prompt, r.Output, r.Model, r.Task, r.Priority, r.Service, r.Prefix);
        }

        _rows = [];
        _count = 0;
        return requests;
    }

    /// <summary>A count of tokens: a whole number ≥ 0 (<c>63</c> or <c>63.0</c>); null (with the words) otherwise.</summary>
    public static int? Count(ReadOnlySpan<byte> text, string field, out string? error)
    {
        error = null;
        if (Utf8Parser.TryParse(text, out int whole, out var used) && used == text.Length && whole >= 0)
        {
            return whole;
        }

        if (Utf8Parser.TryParse(text, out double d, out used) && used == text.Length && d >= 0 && d <= int.MaxValue && d == Math.Floor(d))
        {
            return (int)d;
        }

        error = $"{field} '{Shown(text)}' is not a whole number ≥ 0";
        return null;
    }

    /// <summary>A finite number ≥ 0; null (with the words) otherwise.</summary>
    public static double? NonNegative(ReadOnlySpan<byte> text, string field, out string? error)
    {
        error = null;
        if (Utf8Parser.TryParse(text, out double d, out var used) && used == text.Length && double.IsFinite(d) && d >= 0)
        {
            return d;
        }

        error = $"{field} '{Shown(text)}' is not a number ≥ 0";
        return null;
    }

    /// <summary>Bad text as a message shows it: at most 40 characters.</summary>
    public static string Shown(ReadOnlySpan<byte> text)
    {
        var s = Encoding.UTF8.GetString(text[..Math.Min(text.Length, 160)]);
        return s.Length <= 40 ? s : string.Create(CultureInfo.InvariantCulture, $"{s[..40]}…");
    }

    private readonly record struct Row(long Ticks, long Line, int Prompt, int Output, string? Model, string? Task, string? Priority, TimeSpan? Service, long[]? Prefix);
}
