using Microsoft.AspNetCore.Http.Features;

namespace Yardmaster.Server.Ensembles;

/// <summary>
/// A streamed <c>first</c> ensemble: the first member to start a successful stream wins; its events go to the client as
/// they come (what it sent before winning first), the others are cancelled and what they wrote is dropped. Thread-safe:
/// members write concurrently, the winner alone reaches the client.
/// </summary>
internal sealed class StreamRelay(HttpContext client, Action<HttpResponse, string> writeHeaders)
{
    private readonly Lock _lock = new();
    private readonly List<MemberStream> _streams = [];
    private int _winner = -1;
    private Action<int>? _onWin;

    /// <summary>The client's response body, which the winner writes to.</summary>
    private Stream ClientBody => client.Response.Body;

    /// <summary>The index of the member whose stream reached the client; -1 while none has.</summary>
    public int Winner => Volatile.Read(ref _winner);

    /// <summary>The stream member <paramref name="index"/> writes its answer to, through <paramref name="context"/> (whose status decides whether it may win).</summary>
    public Stream For(int index, string member, HttpContext context)
    {
        var stream = new MemberStream(this, index, member, context);
        lock (_lock)
        {
            _streams.Add(stream);
        }

        return stream;
    }

    /// <summary>What to do once a member won (cancel the others).</summary>
    public void OnWin(Action<int> onWin) => _onWin = onWin;

    private bool TryWin(MemberStream stream)
    {
        lock (_lock)
        {
            if (_winner >= 0)
            {
                return _winner == stream.Index;
            }

            _winner = stream.Index;
        }

        var response = client.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        writeHeaders(response, stream.Member);
        client.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        _onWin?.Invoke(stream.Index);
        return true;
    }

    /// <summary>One member's side: its first write of a 200 answer may win; a winner's writes pass to the client.</summary>
    private sealed class MemberStream(StreamRelay relay, int index, string member, HttpContext context) : Stream
    {
        private bool? _won;

        public int Index => index;

        public string Member => member;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            _won == true ? relay.ClientBody.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the relay is written asynchronously");

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // A member that answered with an error status never wins; its body is dropped.
            _won ??= context.Response.StatusCode == 200 && relay.TryWin(this);
            if (_won == true)
            {
                await relay.ClientBody.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
