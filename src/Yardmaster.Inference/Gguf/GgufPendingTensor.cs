namespace Yardmaster.Inference.Gguf;

/// <summary>A tensor added to a <see cref="GgufWriter"/>: its info and the callback that streams its data.</summary>
internal sealed record GgufPendingTensor(
    GgufTensorInfo Info,
    Func<Stream, CancellationToken, ValueTask> WriteData);
