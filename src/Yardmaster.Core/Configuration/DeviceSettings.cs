namespace Yardmaster.Core.Configuration;

/// <summary><c>devices:</c> the node's capacity in the ledger: CPU for steps, memory for models and steps, GPUs.</summary>
public sealed record DeviceSettings
{
    /// <summary>Host memory for models, bytes. Default 8 GiB.</summary>
    public long CpuMemory { get; init; } = 8L << 30;

    /// <summary>CPU for pipeline steps, millicores (<c>devices.cpu.cores</c>). Default: every core of the machine.</summary>
    public long CpuMillis { get; init; } = Environment.ProcessorCount * 1000L;

    /// <summary>GPU inventory; empty on a machine without GPUs.</summary>
    public IReadOnlyList<GpuDevice> Gpus { get; init; } = [];
}
