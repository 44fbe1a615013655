using Yardmaster.Inference.Gguf;

namespace Yardmaster.Inference.Synthetic;

/// <summary>A synthetic model that was written.</summary>
/// <param name="Path">The GGUF file.</param>
/// <param name="Shape">Its hyperparameters.</param>
/// <param name="Type">Encoding of its 2-D weights.</param>
/// <param name="ParameterCount">Exact number of weights in the file.</param>
/// <param name="Bytes">Size of the file.</param>
public sealed record SyntheticModelResult(string Path, SyntheticModelShape Shape, GgmlType Type, long ParameterCount, long Bytes);
