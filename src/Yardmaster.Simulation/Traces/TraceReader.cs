namespace Yardmaster.Simulation.Traces;

/// <summary>
/// Reads the requests of an LLM or model-serving trace (azure-llm, mooncake, alibaba-genai, yard; alibaba-gpu is a pod
/// list with its own reader). Streams the file once, without a string per line; about a million rows a second.
/// </summary>
public static class TraceReader
{
    /// <summary>
    /// The requests of <paramref name="path"/>, sorted stably by <see cref="TraceRequest.Offset"/> (the file's order
    /// among equal times), the first at zero. A malformed row is added to <paramref name="problems"/> with its line and
    /// skipped (fatal when <see cref="TraceProblems.Strict"/>).
    /// </summary>
    /// <exception cref="TraceFormatException">The header is missing or lacks a column the format needs (the message names them), or a row is malformed under <c>--strict</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="format"/> is alibaba-gpu, which holds no requests.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyList<TraceRequest> Read(string path, TraceFormat format, TraceProblems problems)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(problems);
        if (format == TraceFormat.AlibabaGpu)
        {
            throw new ArgumentException("alibaba-gpu is a pod list, not a request trace; read it with the GPU simulation's reader", nameof(format));
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, format, problems);
    }

    /// <summary>As <see cref="Read(string, TraceFormat, TraceProblems)"/>, from an open stream (not disposed).</summary>
    public static IReadOnlyList<TraceRequest> Read(Stream stream, TraceFormat format, TraceProblems problems) => format switch
    {
        TraceFormat.AzureLlm => AzureLlmReader.Read(stream, problems),
        TraceFormat.Mooncake => JsonLinesReader.Read(stream, problems, "mooncake"),
        TraceFormat.Yard => JsonLinesReader.Read(stream, problems, "yard"),
        TraceFormat.AlibabaGenAi => AlibabaGenAiReader.Read(stream, problems),
        _ => throw new ArgumentException($"{TraceFormats.Name(format)} is not a request trace", nameof(format)),
    };
}
