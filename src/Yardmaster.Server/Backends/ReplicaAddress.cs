using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Execution;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>Where a cluster replica's server is reached: the address its job reports (a Kubernetes pod's IP), else its node's.</summary>
internal static class ReplicaAddress
{
    /// <summary>
    /// The root URL of the replica's server on <paramref name="port"/>. A job with an address of its own
    /// (<see cref="IAddressedProcess"/>: a pod's IP) is waited for, up to the model's <c>ready_timeout</c>; any other is
    /// reached at its node's address (Slurm's <c>NodeAddr</c>), else the node's name. A
    /// <see cref="ReplicaStartException"/> when the job ends, or the time passes, before it has an address.
    /// </summary>
    public static async Task<Uri> UrlAsync(ModelDefinition definition, IStepProcess job, NodeCapacity node, int port, string logPath, TimeProvider time, CancellationToken cancellationToken)
    {
        var host = node.Address ?? node.Name;
        if (job is IAddressedProcess addressed)
        {
            using var late = new CancellationTokenSource(definition.ReadyTimeout, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, late.Token);
            string? address;
            try
            {
                address = await addressed.AddressAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (late.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ReplicaStartException($"model '{definition.Name}': the job ({job.Locator}) got no address within {definition.ReadyTimeout.TotalSeconds:0.#} s (ready_timeout; its pod may still be pending on the cluster)");
            }

            if (address is null)
            {
                var why = job.Exited.IsCompleted ? (await job.Exited.ConfigureAwait(false)).Describe() : "it is no longer watched";
                throw new ReplicaStartException($"model '{definition.Name}': the job ({job.Locator}) ended before it had an address: {why}; last output:{Environment.NewLine}{ProcessReplica.Tail(logPath)}");
            }

            host = address;
        }

        // An IPv6 pod IP goes in brackets.
        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{authority}:{port}/"));
    }
}
