namespace Yardmaster.Core.Configuration;

/// <summary>
/// One thing wrong with a configuration or a definition, as a value: the field it concerns (a path in
/// the file's own spelling, e.g. <c>models[1].slots</c>), what is wrong, and, when it came from a file,
/// where (1-based line and column, filled by the YAML loader).
/// </summary>
/// <param name="Field">The offending field's path, snake_case as in <c>yard.yaml</c>; empty for the whole document.</param>
/// <param name="Message">What is wrong and what would be accepted.</param>
public sealed record ConfigError(string Field, string Message)
{
    /// <summary>The file, when the error was found in one.</summary>
    public string? File { get; init; }

    /// <summary>1-based line in <see cref="File"/>.</summary>
    public int? Line { get; init; }

    /// <summary>1-based column in <see cref="File"/>.</summary>
    public int? Column { get; init; }

    /// <summary><c>file:line:col: field: message</c>, or <c>field: message</c> without a location.</summary>
    public override string ToString()
    {
        var location = (File, Line) switch
        {
            (null, null) => string.Empty,
            (null, { } line) => $"{line}:{Column ?? 1}: ",
            ({ } file, null) => $"{file}: ",
            ({ } file, { } line) => $"{file}:{line}:{Column ?? 1}: ",
        };
        return Field.Length == 0 ? location + Message : $"{location}{Field}: {Message}";
    }
}
