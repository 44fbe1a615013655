namespace Yardmaster.Core.Pipelines;

/// <summary>How the delay between retries grows.</summary>
public enum BackoffKind
{
    /// <summary>The same delay each time.</summary>
    Constant,

    /// <summary>initial, 2 × initial, 3 × initial, ...</summary>
    Linear,

    /// <summary>initial, 2 × initial, 4 × initial, ... (the default).</summary>
    Exponential,
}
