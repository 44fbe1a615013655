using System.Net;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>Waits until a model server just started answers: <c>/health</c> or <c>/v1/models</c> with 200.</summary>
internal static class ReadyProbe
{
    /// <summary>
    /// Polls <paramref name="root"/> every <paramref name="interval"/> until it answers; before each round asks
    /// <paramref name="gone"/>, which says why the server can no longer answer (it exited) or null. Throws a
    /// <see cref="ReplicaStartException"/> with that reason, or with <paramref name="late"/>'s after <paramref name="timeout"/>.
    /// </summary>
    public static async Task WaitAsync(Uri root, HttpClient client, TimeProvider time, TimeSpan timeout, TimeSpan interval, Func<Task<string?>> gone, Func<string> late, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var probes = new[] { new Uri(root, "health"), new Uri(root, "v1/models") };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await gone().ConfigureAwait(false) is { } reason)
            {
                throw new ReplicaStartException(reason);
            }

            foreach (var probe in probes)
            {
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(TimeSpan.FromSeconds(2));
                    using var response = await client.GetAsync(probe, attempt.Token).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // not listening yet
                }
            }

            if (time.GetElapsedTime(started) > timeout)
            {
                throw new ReplicaStartException(late());
            }

            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
