using System.Net;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// A call to the server did not give an answer the command can use: the server is unreachable, or it
/// answered with an error. <see cref="Exception.Message"/> is what to print after <c>error: </c>.
/// </summary>
internal sealed class ServerCallException : Exception
{
    public ServerCallException()
    {
    }

    public ServerCallException(string message)
        : base(message)
    {
    }

    public ServerCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ServerCallException(string message, HttpStatusCode status)
        : base(message) => Status = status;

    /// <summary>The server's error status; null when there was no answer (unreachable, timed out).</summary>
    public HttpStatusCode? Status { get; }
}
