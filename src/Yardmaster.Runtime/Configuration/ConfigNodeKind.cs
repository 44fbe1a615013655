namespace Yardmaster.Runtime.Configuration;

/// <summary>The three shapes of a YAML node.</summary>
internal enum ConfigNodeKind
{
    Scalar,
    Sequence,
    Mapping,
}
