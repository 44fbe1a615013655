using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using System.Text.Json;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Dashboard;

/// <summary>
/// <c>GET /api/nodes</c> (read-only, admin): each node of the ledger with its capacity, what is free, and every
/// allocation with what it belongs to: a step (<c>"kind": "step"</c>, its run and step) or a model replica
/// (<c>"kind": "replica"</c>, its model, replica number, device and state). Replicas of local backends are listed under the
/// local node; a cluster replica is listed only under its node, as its job's allocation there (<c>"kind": "replica"</c>,
/// model, replica, its reserved CPU, memory and GPUs, state and job locator). Each node also shows serving's reserve
/// (<c>pool.serving_reserve</c>) and the memory waiting models claim back from steps (<c>serving_claims</c>).
/// </summary>
/// <remarks>Thread-safe (reads snapshots).</remarks>
internal sealed class NodesApi(ResourceLedger ledger, ServingScheduler scheduler)
{
    /// <summary>Maps the endpoint.</summary>
    public void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/nodes", (HttpContext http) => JsonResponse.WriteAsync(http, Write));

    private void Write(Utf8JsonWriter json)
    {
        var free = ledger.Snapshot();
        var allocations = ledger.Allocations();
        var (claims, _) = ledger.Claims();
        var models = scheduler.Snapshot().Models;
        // Replicas of this machine's backends hold memory here; a cluster replica is its job's allocation on its node.
        var replicas = models.Where(m => !m.Backend.OnCluster()).SelectMany(m => m.Replicas).ToList();
        var onCluster = models.Where(m => m.Backend.OnCluster()).SelectMany(m => m.Replicas)
            .DistinctBy(r => (r.Model, r.Replica)).ToDictionary(r => r.Model + "#" + r.Replica.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        json.WriteStartObject();
        json.WriteStartArray("nodes");
        for (var i = 0; i < ledger.Nodes.Count; i++)
        {
            var node = ledger.Nodes[i];
            json.WriteStartObject();
            json.WriteString("name", node.Name);
            json.WriteString("engine", node.Engine);
            json.WriteStartObject("capacity");
            json.WriteNumber("cpu_millis", node.CpuMillis);
            json.WriteNumber("memory_bytes", node.MemoryBytes);
            Gpus(json, node.GpuIndexes, ulong.MaxValue);
            json.WriteEndObject();
            json.WriteStartObject("free");
            json.WriteNumber("cpu_millis", free[i].CpuFree);
            json.WriteNumber("memory_bytes", free[i].MemoryFree);
            Gpus(json, node.GpuIndexes, free[i].GpuFree);
            json.WriteEndObject();
            json.WriteNumber("model_memory_bytes", ledger.ModelMemory(i));
            json.WriteStartArray("model_gpus"); // GPUs models use (not free for steps), by nvidia-smi index
            foreach (var (device, bytes) in ledger.ModelGpuMemory(i))
            {
                json.WriteStartObject();
                json.WriteNumber("index", device);
                json.WriteNumber("memory_bytes", bytes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("serving_reserve_bytes", ledger.ServingReserve(i)); // pool.serving_reserve: only preemptible steps borrow it
            json.WriteStartArray("serving_claims"); // memory a waiting model replica claims back from steps
            foreach (var c in claims.Where(c => c.Node == i))
            {
                json.WriteStartObject();
                json.WriteString("owner", c.Owner);
                json.WriteNumber("memory_bytes", c.Bytes);
                json.WriteString("priority", Core.PriorityClasses.Name(c.Priority));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("allocations");
            foreach (var a in allocations.Where(a => a.Node == i))
            {
                var slash = a.Owner.IndexOf('/', StringComparison.Ordinal);
                var hash = a.Owner.LastIndexOf('#');
                json.WriteStartObject();
                if (slash < 0 && hash > 0 && int.TryParse(a.Owner[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    // a cluster replica's job (MODEL#REPLICA), reserved on its node
                    json.WriteString("kind", "replica");
                    json.WriteString("owner", a.Owner);
                    json.WriteString("model", a.Owner[..hash]);
                    json.WriteNumber("replica", int.Parse(a.Owner[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
                    if (onCluster.GetValueOrDefault(a.Owner) is { } replica)
                    {
                        json.WriteString("state", replica.State.ToString().ToLowerInvariant());
                        if (replica.Locator is { } locator)
                        {
                            json.WriteString("locator", locator);
                        }
                    }
                }
                else
                {
                    json.WriteString("kind", "step");
                    json.WriteString("owner", a.Owner);
                    json.WriteString("run", slash < 0 ? a.Owner : a.Owner[..slash]);
                    json.WriteString("step", slash < 0 ? string.Empty : a.Owner[(slash + 1)..]);
                }

                json.WriteNumber("cpu_millis", a.Request.CpuMillis);
                json.WriteNumber("memory_bytes", a.Request.MemoryBytes);
                Gpus(json, node.GpuIndexes, a.Gpus);
                json.WriteEndObject();
            }

            foreach (var r in i == 0 ? replicas : [])
            {
                json.WriteStartObject();
                json.WriteString("kind", "replica");
                json.WriteString("owner", r.Model + "#" + r.Replica);
                json.WriteString("model", r.Model);
                json.WriteNumber("replica", r.Replica);
                json.WriteString("device", r.Device.ToString().ToLowerInvariant());
                json.WriteString("state", r.State.ToString().ToLowerInvariant());
                json.WriteNumber("memory_bytes", r.MemoryBytes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Gpus(Utf8JsonWriter json, IReadOnlyList<int> indexes, ulong mask)
    {
        json.WriteStartArray("gpus");
        for (var bit = 0; bit < indexes.Count && bit < 64; bit++)
        {
            if ((mask & (1UL << bit)) != 0)
            {
                json.WriteNumberValue(indexes[bit]);
            }
        }

        json.WriteEndArray();
    }
}
