namespace Yardmaster.Core.Configuration;

/// <summary><c>devices:</c> the memory budgets models are loaded within.</summary>
public sealed record DeviceSettings
{
    /// <summary>Host memory for models, bytes. Default 8 GiB.</summary>
    public long CpuMemory { get; init; } = 8L << 30;

    /// <summary>GPU inventory; empty on a machine without GPUs.</summary>
    public IReadOnlyList<GpuDevice> Gpus { get; init; } = [];
}
