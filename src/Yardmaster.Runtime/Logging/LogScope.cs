using System.Collections;
using System.Globalization;

namespace Yardmaster.Runtime.Logging;

/// <summary>
/// The state of a logging scope (<c>ILogger.BeginScope</c>) naming what a log line belongs to: a request
/// (<c>RequestId</c>) or a pipeline run, step and attempt (<c>RunId</c>, <c>StepId</c>, <c>Attempt</c>). Console
/// formatters show it compactly in text (<see cref="ToString"/>: <c>request req_1</c>, <c>run r3 step fetch attempt 2</c>)
/// and as separate properties in JSON (it is a list of name/value pairs). Its values never change, so it is thread-safe
/// (the text is kept once made; two threads may both make it).
/// </summary>
/// <remarks>
/// Every request has one: the text is made when the first line is written (in text format), the pairs when a JSON line
/// reads them; beginning the scope allocates the scope alone.
/// </remarks>
public sealed class LogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private static readonly string[] _requestNames = ["RequestId"];
    private static readonly string[] _runNames = ["RunId"];
    private static readonly string[] _stepNames = ["RunId", "StepId", "Attempt"];

    private readonly string[] _names;
    private readonly string _first;
    private readonly string? _step;
    private readonly int? _attempt;
    private string? _text;

    private LogScope(string[] names, string first, string? step = null, int? attempt = null)
    {
        (_names, _first, _step, _attempt) = (names, first, step, attempt);
    }

    /// <inheritdoc />
    public int Count => _names.Length;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => new(_names[index], index switch
    {
        0 => _first,
        1 => _step,
        _ => _attempt,
    });

    /// <summary>The scope of one HTTP request.</summary>
    public static LogScope Request(string requestId) => new(_requestNames, requestId);

    /// <summary>The scope of a run as a whole (its end, its cancellation).</summary>
    public static LogScope Run(string runId) => new(_runNames, runId);

    /// <summary>The scope of a step; <paramref name="attempt"/> is its latest attempt's number, null before the first.</summary>
    public static LogScope Step(string runId, string stepId, int? attempt) => new(_stepNames, runId, stepId, attempt);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => _text ??= _names == _requestNames ? "request " + _first
        : _names == _runNames ? "run " + _first
        : _attempt is { } n ? string.Create(CultureInfo.InvariantCulture, $"run {_first} step {_step} attempt {n}") : $"run {_first} step {_step}";
}
