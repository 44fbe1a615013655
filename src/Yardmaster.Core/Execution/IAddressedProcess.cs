namespace Yardmaster.Core.Execution;

/// <summary>
/// An attempt the engine gives a network address of its own (a Kubernetes pod's IP), where a server it runs is reached,
/// rather than the address of its node. Offered by the handles of such engines alongside <see cref="IStepProcess"/>.
/// Thread-safe.
/// </summary>
public interface IAddressedProcess
{
    /// <summary>
    /// Waits until the engine reports the attempt's address (an IPv4 or IPv6 literal) and returns it; null when the
    /// attempt ended, or the handle was disposed, before it had one. The same address on every call once known.
    /// Cancellation throws <see cref="OperationCanceledException"/>; API failures are retried, not thrown.
    /// </summary>
    Task<string?> AddressAsync(CancellationToken cancellationToken);
}
