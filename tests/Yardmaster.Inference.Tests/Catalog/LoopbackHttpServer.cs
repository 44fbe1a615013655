using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Yardmaster.Inference.Tests.Catalog;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 with a free port, written on raw sockets so a test controls
/// exactly what goes on the wire (status, Content-Range, a connection closed halfway through a body).
/// Every connection serves one request and closes. Records each request.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<LoopbackRequest, int, LoopbackReply> _handler;
    private readonly ConcurrentQueue<LoopbackRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer(Func<LoopbackRequest, int, LoopbackReply> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<LoopbackRequest> Requests => _requests.ToArray();

    /// <summary>A loopback port that nothing listens on: connecting to it is refused.</summary>
    public static Uri ClosedPortUrl()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (socket)
            {
                await ServeAsync(socket);
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = await ReadHeadAsync(stream);
        if (head is null)
        {
            return;
        }

        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var range = lines.Skip(1).Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals("Range", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
        var request = new LoopbackRequest(parts[0], Uri.UnescapeDataString(parts[1]), range);
        _requests.Enqueue(request);
        var reply = _handler(request, _requests.Count - 1);

        var response = new StringBuilder();
        response.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {reply.Status} {((HttpStatusCode)reply.Status)}\r\n");
        response.Append(CultureInfo.InvariantCulture, $"Content-Length: {reply.Body.Length}\r\n");
        response.Append("Content-Type: application/octet-stream\r\nConnection: close\r\n");
        foreach (var (name, value) in reply.Headers)
        {
            response.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        response.Append("\r\n");
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response.ToString()));
            await stream.WriteAsync(reply.Body.AsMemory(0, Math.Min(reply.Body.Length, reply.SendBytes ?? int.MaxValue)));
            await stream.FlushAsync();
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (IOException)
        {
            // The client went away first.
        }
        catch (SocketException)
        {
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n')
            {
                return Encoding.ASCII.GetString(bytes.ToArray(), 0, bytes.Count - 4);
            }
        }

        return null;
    }
}
