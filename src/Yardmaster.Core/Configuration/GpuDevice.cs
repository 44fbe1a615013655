namespace Yardmaster.Core.Configuration;

/// <summary>One GPU of the inventory: its index (as <c>nvidia-smi</c> numbers it) and memory in bytes.</summary>
public sealed record GpuDevice(int Index, long Memory, string? Name = null);
