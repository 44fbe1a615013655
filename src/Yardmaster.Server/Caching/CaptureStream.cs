namespace Yardmaster.Server.Caching;

/// <summary>
/// Passes writes on to the response body and keeps a copy of up to <c>limit</c> bytes (beyond it, the copy is
/// dropped and <see cref="Overflowed"/> set: the answer is too large to cache). One writer at a time, as a response is.
/// </summary>
internal sealed class CaptureStream(Stream inner, long limit) : Stream
{
    private MemoryStream? _copy = new();

    /// <summary>True once more than the limit was written.</summary>
    public bool Overflowed => _copy is null;

    /// <summary>The bytes written so far; empty after an overflow.</summary>
    public byte[] Captured => _copy?.ToArray() ?? [];

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_copy is null)
        {
            return;
        }

        if (_copy.Length + bytes.Length > limit)
        {
            _copy.Dispose();
            _copy = null;
            return;
        }

        _copy.Write(bytes);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _copy?.Dispose();
        }

        base.Dispose(disposing);
    }
}
