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

    /// <summary>The server's error status; null when it did not answer.</summary>
    public HttpStatusCode? Status { get; init; }

    /// <summary>The body of the server's error answer (problem details under /api); null when it did not answer.</summary>
    public string? Body { get; init; }
}
