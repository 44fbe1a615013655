using System.Globalization;

namespace Yardmaster.Simulation.Traces;

/// <summary>
/// The malformed rows of a trace: counted and kept by line number (the first <see cref="Kept"/> of them), so a reader
/// skips them and the run reports them; with <see cref="Strict"/> the first one is fatal (<see cref="TraceFormatException"/>).
/// </summary>
public sealed class TraceProblems(string file, bool strict)
{
    /// <summary>How many problems are kept with their words; the rest are only counted.</summary>
    public const int Kept = 20;

    private readonly List<(long Line, string Problem)> _first = [];

    /// <summary>The trace file, as named on the command line.</summary>
    public string File { get; } = file;

    /// <summary>True when a malformed row stops the run.</summary>
    public bool Strict { get; } = strict;

    /// <summary>Malformed rows seen (skipped).</summary>
    public long Count { get; private set; }

    /// <summary>The first <see cref="Kept"/> problems, by line number (1 is the file's first line).</summary>
    public IReadOnlyList<(long Line, string Problem)> First => _first;

    /// <summary>Records that line <paramref name="line"/> is malformed; throws when <see cref="Strict"/>.</summary>
    /// <exception cref="TraceFormatException">With <see cref="Strict"/>.</exception>
    public void Add(long line, string problem)
    {
        if (Strict)
        {
            throw new TraceFormatException(Describe(line, problem));
        }

        Count++;
        if (_first.Count < Kept)
        {
            _first.Add((line, problem));
        }
    }

    /// <summary>One line per kept problem, then how many more; empty when the trace was clean.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (var (line, problem) in _first)
        {
            yield return Describe(line, problem);
        }

        if (Count > _first.Count)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{File}: {Count - _first.Count} more malformed rows");
        }
    }

    private string Describe(long line, string problem) => string.Create(CultureInfo.InvariantCulture, $"{File}:{line}: {problem}");
}

/// <summary>A trace that cannot be read: a missing header, or a malformed row under <c>--strict</c>. The message names file and line.</summary>
public sealed class TraceFormatException(string message) : Exception(message);
