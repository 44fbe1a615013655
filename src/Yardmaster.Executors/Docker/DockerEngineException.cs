using System.Net;

namespace Yardmaster.Executors.Docker;

/// <summary>The engine answered with an error status the caller did not expect (its <c>message</c> is kept).</summary>
internal sealed class DockerEngineException : Exception
{
    public DockerEngineException()
    {
    }

    public DockerEngineException(string message)
        : base(message)
    {
    }

    public DockerEngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DockerEngineException(HttpStatusCode status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The HTTP status of the engine's answer; null when not from an answer.</summary>
    public HttpStatusCode? Status { get; }
}
