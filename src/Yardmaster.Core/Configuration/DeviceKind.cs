namespace Yardmaster.Core.Configuration;

/// <summary>Where a replica's memory is accounted.</summary>
public enum DeviceKind
{
    /// <summary>Host memory, against <c>devices.cpu.memory</c>.</summary>
    Cpu,

    /// <summary>A GPU's memory, against one of <c>devices.gpus</c>.</summary>
    Gpu,
}
