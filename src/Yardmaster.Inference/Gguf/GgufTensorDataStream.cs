namespace Yardmaster.Inference.Gguf;

/// <summary>
/// The write-only stream a tensor's data callback receives: it forwards to the file and refuses to
/// write more than the tensor's byte length, so a wrong callback cannot shift every later tensor.
/// </summary>
internal sealed class GgufTensorDataStream : Stream
{
    private readonly Stream _inner;
    private readonly string _tensorName;

    public GgufTensorDataStream(Stream inner, string tensorName, long expectedLength)
    {
        _inner = inner;
        _tensorName = tensorName;
        ExpectedLength = expectedLength;
    }

    public long ExpectedLength { get; }

    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Admit(buffer.Length);
        _inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Admit(buffer.Length);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
        // The writer flushes the file once at the end; a callback's flush must not force partial writes.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Admit(int count)
    {
        if (Written + count > ExpectedLength)
        {
            throw new InvalidOperationException(
                $"tensor {_tensorName}: the data callback wrote more than the {ExpectedLength} bytes its shape and type take");
        }

        Written += count;
    }
}
