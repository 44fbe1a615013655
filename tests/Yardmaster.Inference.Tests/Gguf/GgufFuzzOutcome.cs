namespace Yardmaster.Inference.Tests.Gguf;

/// <summary>How far a fuzz case got.</summary>
public enum GgufFuzzOutcome
{
    /// <summary><c>GgufFile.Open</c> refused it with a <c>GgufFormatException</c>.</summary>
    Malformed,
    /// <summary>It opened but <c>LlamaModel.Load</c> refused it (unsupported, or malformed metadata).</summary>
    Unsupported,
    /// <summary>It loaded and ran a forward step.</summary>
    Ran,
    /// <summary>Something threw what it must not.</summary>
    Crashed,
}
