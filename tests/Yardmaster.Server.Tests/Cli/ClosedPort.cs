using System.Net;
using System.Net.Sockets;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A loopback port held bound but not listening for as long as this lives: a connection to
/// <see cref="Url"/> is refused at once, and no other process can start listening there meanwhile.
/// </summary>
public sealed class ClosedPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ClosedPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}/");
    }

    public Uri Url { get; }

    public void Dispose() => _socket.Dispose();
}
