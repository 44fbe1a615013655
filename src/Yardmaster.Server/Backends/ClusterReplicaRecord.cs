using System.Text.Json;

namespace Yardmaster.Server.Backends;

/// <summary>
/// What a cluster replica's attempt directory tells a later server about its job (<c>replica.json</c>): the model and
/// replica number, the node and the URL its server listens at (the port is drawn at random, so nothing else could tell
/// it), the command and the resources it was started with. Written before the job is submitted and deleted once the
/// replica is over, so a record that outlives its server names a job that may still run (<see cref="ClusterReplicaAdoption"/>).
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Replica">The replica's number.</param>
/// <param name="Engine">The engine the job runs on (<c>slurm</c>).</param>
/// <param name="AttemptId">The job's attempt id (its Slurm name is <c>yard-</c> and this).</param>
/// <param name="Node">The node it was placed on.</param>
/// <param name="Url">Where its server answers.</param>
/// <param name="LogPath">The job's output.</param>
/// <param name="Arguments">The command's arguments as submitted (placeholders expanded, its port included).</param>
/// <param name="Port">The port drawn for it.</param>
/// <param name="Request">What it reserved on its node.</param>
/// <param name="Owner">The server that started it (<see cref="ReplicaOwnerLocks"/>); empty when none was known.</param>
internal sealed record ClusterReplicaRecord(string Model, int Replica, string Engine, string AttemptId, string Node, Uri Url, string LogPath, IReadOnlyList<string> Arguments, int Port, Core.Pipelines.ResourceRequest Request, string Owner)
{
    /// <summary>The file's name in the attempt directory.</summary>
    public const string FileName = "replica.json";

    /// <summary>Writes it to <paramref name="attemptDirectory"/> (created when missing), through a temporary file and a rename.</summary>
    public async Task WriteAsync(string attemptDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(attemptDirectory);
        var path = Path.Combine(attemptDirectory, FileName);
        await using (var file = File.Create(path + ".tmp"))
        {
            await using var json = new Utf8JsonWriter(file, Core.ReadableJson.Writer);
            json.WriteStartObject();
            json.WriteString("model", Model);
            json.WriteNumber("replica", Replica);
            json.WriteString("engine", Engine);
            json.WriteString("attempt_id", AttemptId);
            json.WriteString("node", Node);
            json.WriteString("url", Url.ToString());
            json.WriteString("log", LogPath);
            json.WriteStartArray("arguments");
            foreach (var arg in Arguments)
            {
                json.WriteStringValue(arg);
            }

            json.WriteEndArray();
            json.WriteNumber("port", Port);
            json.WriteNumber("cpu_millis", Request.CpuMillis);
            json.WriteNumber("memory_bytes", Request.MemoryBytes);
            json.WriteNumber("gpus", Request.Gpus);
            json.WriteString("owner", Owner);
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The record in <paramref name="attemptDirectory"/>; null when there is none or it cannot be read (then nothing can be adopted from it).</summary>
    public static async Task<ClusterReplicaRecord?> ReadAsync(string attemptDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(attemptDirectory, FileName);
        try
        {
            await using var file = File.OpenRead(path);
            using var document = await JsonDocument.ParseAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            return new ClusterReplicaRecord(
                root.GetProperty("model").GetString()!,
                root.GetProperty("replica").GetInt32(),
                root.GetProperty("engine").GetString()!,
                root.GetProperty("attempt_id").GetString()!,
                root.GetProperty("node").GetString()!,
                new Uri(root.GetProperty("url").GetString()!),
                root.GetProperty("log").GetString()!,
                [.. root.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!)],
                root.GetProperty("port").GetInt32(),
                new Core.Pipelines.ResourceRequest(root.GetProperty("cpu_millis").GetInt64(), root.GetProperty("memory_bytes").GetInt64(), root.GetProperty("gpus").GetInt32()),
                root.GetProperty("owner").GetString()!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Deletes the record of <paramref name="attemptDirectory"/>: its job is over, nothing is left to adopt. Never throws.</summary>
    public static void Delete(string attemptDirectory)
    {
        try
        {
            File.Delete(Path.Combine(attemptDirectory, FileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A record left behind names a job that has ended: the next start finds it ended and deletes it then.
        }
    }

    /// <summary>
    /// <paramref name="release"/>, then (once the replica's job is over) the record's deletion: what a cluster replica
    /// calls when it is stopped or its job has ended.
    /// </summary>
    public static Action Forgetting(string attemptDirectory, Action release) => () =>
    {
        release();
        Delete(attemptDirectory);
    };
}
