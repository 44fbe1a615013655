namespace Yardmaster.Inference.Llama;

/// <summary>A well-formed GGUF that the builtin runtime cannot run: another architecture, a missing or misshapen tensor, an unsupported tensor type.</summary>
public sealed class UnsupportedModelException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public UnsupportedModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public UnsupportedModelException()
        : base("the model is not supported")
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public UnsupportedModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
