using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// Whether <c>yard serve</c> can listen where it is asked, checked before anything slow (pulling the default
/// model), and the one message for a failure to listen however it surfaces (a socket error, or Kestrel's
/// <see cref="IOException"/> around an <see cref="AddressInUseException"/>).
/// </summary>
internal static class ListenCheck
{
    /// <summary>Why <paramref name="host"/>:<paramref name="port"/> cannot be listened on now, or null (port 0 always can). Binds and releases at once.</summary>
    public static string? Problem(string host, int port)
    {
        if (port == 0)
        {
            return null;
        }

        IPAddress[] addresses = host == "localhost"
            ? Socket.OSSupportsIPv6 ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [IPAddress.Loopback]
            : [IPAddress.Parse(host)];
        foreach (var address in addresses)
        {
            try
            {
                using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(address, port));
                socket.Listen();
            }
            catch (SocketException e)
            {
                return Describe(e, host, port);
            }
        }

        return null;
    }

    /// <summary>The message for a failure to listen, when <paramref name="e"/> (or an exception inside it) is one; else null.</summary>
    public static string? Describe(Exception e, string host, int port)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            var code = inner switch
            {
                AddressInUseException => SocketError.AddressAlreadyInUse,
                SocketException s => s.SocketErrorCode,
                _ => (SocketError?)null,
            };
            var where = $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}";
            switch (code)
            {
                case SocketError.AddressAlreadyInUse:
                    return $"cannot listen on {where}: the address is already in use (another 'yard serve' or another program listens there); pick another port with --port N (or --port 0 for any free one)";
                case SocketError.AccessDenied:
                    return $"cannot listen on {where}: permission denied (ports below 1024 need privileges); pick another port with --port N";
                case SocketError.AddressNotAvailable:
                    return $"cannot listen on {where}: {host} is not an address of this machine; pick another with --host (127.0.0.1 for this machine only)";
                case { } other:
                    return $"cannot listen on {where}: {inner.Message} ({other}); pick another address with --host or --port";
                default:
                    break;
            }
        }

        return null;
    }
}
