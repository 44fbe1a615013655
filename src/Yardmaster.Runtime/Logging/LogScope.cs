using System.Collections;
using System.Globalization;

namespace Yardmaster.Runtime.Logging;

/// <summary>
/// The state of a logging scope (<c>ILogger.BeginScope</c>) naming what a log line belongs to: a request
/// (<c>RequestId</c>) or a pipeline run, step and attempt (<c>RunId</c>, <c>StepId</c>, <c>Attempt</c>). Console
/// formatters show it compactly in text (<see cref="ToString"/>: <c>request req_1</c>, <c>run r3 step fetch attempt 2</c>)
/// and as separate properties in JSON (it is a list of name/value pairs). Immutable, so thread-safe.
/// </summary>
public sealed class LogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _values;
    private readonly string _text;

    private LogScope(KeyValuePair<string, object?>[] values, string text)
    {
        _values = values;
        _text = text;
    }

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => _values[index];

    /// <summary>The scope of one HTTP request.</summary>
    public static LogScope Request(string requestId) => new([new("RequestId", requestId)], "request " + requestId);

    /// <summary>The scope of a run as a whole (its end, its cancellation).</summary>
    public static LogScope Run(string runId) => new([new("RunId", runId)], "run " + runId);

    /// <summary>The scope of a step; <paramref name="attempt"/> is its latest attempt's number, null before the first.</summary>
    public static LogScope Step(string runId, string stepId, int? attempt) => new(
        [new("RunId", runId), new("StepId", stepId), new("Attempt", attempt)],
        attempt is { } n ? string.Create(CultureInfo.InvariantCulture, $"run {runId} step {stepId} attempt {n}") : $"run {runId} step {stepId}");

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => _text;
}
