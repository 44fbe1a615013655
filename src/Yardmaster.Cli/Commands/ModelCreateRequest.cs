using Yardmaster.Inference.Gguf;

namespace Yardmaster.Cli.Commands;

/// <summary>The validated arguments of <c>yard model create</c>.</summary>
internal sealed record ModelCreateRequest(
    long Parameters, GgmlType Type, string? VocabFrom, ulong Seed, int Context, string? Name, string Out, OutputFormat Format);
