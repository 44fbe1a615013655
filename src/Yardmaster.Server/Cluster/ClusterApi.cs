using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Yardmaster.Core.Cluster;

namespace Yardmaster.Server.Cluster;

/// <summary>
/// <c>GET /api/cluster</c> (admin): the instances sharing the store and which one leads the job scheduler:
/// <c>{"self": id, "leader": {"id", "url", "epoch", "expires_at"} | null, "instances": [{"id", "url", "last_seen"}]}</c>.
/// An instance is listed while its last heartbeat is within two leases. On a SQLite store (one instance) it answers
/// with this instance alone as the leader.
/// </summary>
internal sealed class ClusterApi(IClusterStore? store, Func<string> self, Func<string> url, TimeSpan lease, TimeProvider time)
{
    /// <summary>Maps the endpoint.</summary>
    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/api/cluster", WriteAsync);

    private async Task WriteAsync(HttpContext http)
    {
        LeaderLease? leader;
        IReadOnlyList<ClusterInstance> instances;
        if (store is null)
        {
            var now = time.GetUtcNow();
            leader = new LeaderLease(self(), url(), 1, now + lease);
            instances = [new ClusterInstance(self(), url(), now)];
        }
        else
        {
            try
            {
                leader = await store.LeaderAsync(http.RequestAborted).ConfigureAwait(false);
                instances = await store.InstancesAsync(2 * lease, http.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Gateway.Problem.WriteAsync(http.Response, StatusCodes.Status503ServiceUnavailable, "the shared store did not answer: " + e.Message).ConfigureAwait(false);
                return;
            }
        }

        await JsonResponse.WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("self", self());
            if (leader is null)
            {
                json.WriteNull("leader");
            }
            else
            {
                json.WriteStartObject("leader");
                json.WriteString("id", leader.HolderId);
                json.WriteString("url", leader.HolderUrl);
                json.WriteNumber("epoch", leader.Epoch);
                json.WriteString("expires_at", leader.ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteStartArray("instances");
            foreach (var instance in instances)
            {
                json.WriteStartObject();
                json.WriteString("id", instance.Id);
                json.WriteString("url", instance.Url);
                json.WriteString("last_seen", instance.LastSeen.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
