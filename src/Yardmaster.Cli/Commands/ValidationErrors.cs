using Yardmaster.Core.Configuration;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// The errors of one validation as the CLI prints them, the same for the embedded scheduler and a server: the
/// first <see cref="ErrorReport.MaxShown"/> (a server lists no more), and how many there are in all.
/// </summary>
/// <param name="Shown">The errors to print, each <c>file:line:col: field: message</c>.</param>
/// <param name="Total">How many there are; at least <c>Shown.Count</c>.</param>
internal sealed record ValidationErrors(IReadOnlyList<string> Shown, int Total)
{
    /// <summary>No error.</summary>
    public static ValidationErrors None { get; } = new([], 0);

    /// <summary>True when there is no error.</summary>
    public bool IsEmpty => Total == 0;

    /// <summary>The first <see cref="ErrorReport.MaxShown"/> of <paramref name="errors"/>, and their count.</summary>
    public static ValidationErrors From(IReadOnlyList<ConfigError> errors) =>
        new([.. ErrorReport.Shown(errors).Select(e => e.ToString())], errors.Count);

    /// <summary>Prints each error after <c>error: </c>, then "and N more errors" when some were not listed, then "N errors" followed by <paramref name="summaryTail"/> (all on stderr).</summary>
    public async Task WriteAsync(string summaryTail)
    {
        foreach (var e in Shown)
        {
            await Console.Error.WriteLineAsync($"error: {e}").ConfigureAwait(false);
        }

        if (ErrorReport.More(Shown.Count, Total) is { } more)
        {
            await Console.Error.WriteLineAsync(more).ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync(ErrorReport.Count(Total) + summaryTail).ConfigureAwait(false);
    }
}
