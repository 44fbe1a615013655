using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Slurm;

/// <summary>Runs submitted to a server's <c>/api/runs</c> and polled with a deadline, for the Slurm tests.</summary>
internal static class SlurmRuns
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The <c>jobs:</c> section that sends every step to <paramref name="cluster"/>, polling every 250 ms.</summary>
    public static string JobsYaml(SlurmTestCluster cluster) => $$"""
        jobs:
          executor: slurm
          stop_grace: 1s
          docker: { enabled: false }
          slurm: { conf: "{{cluster.Conf}}", bin_dir: "{{cluster.BinDir}}", partition: {{cluster.Partition}}, poll: 250ms }
        """;

    /// <summary>A client of the <c>yard serve</c> at <paramref name="url"/> sending <paramref name="adminKey"/>.</summary>
    public static HttpClient AdminClient(string url, string adminKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        return http;
    }

    /// <summary>Submits <paramref name="yaml"/> and returns the run id; fails unless 201.</summary>
    public static async Task<string> SubmitAsync(HttpClient http, string yaml)
    {
        using var response = await http.PostAsJsonAsync("/api/runs", new { yaml, file = "slurm.yaml" }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>GET <paramref name="path"/> as JSON; fails unless 2xx.</summary>
    public static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds and returns that value; fails naming <paramref name="what"/> and the last value after <paramref name="timeout"/>.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(clock.Elapsed < timeout, $"{what} did not happen within {timeout.TotalSeconds} s; last: {value}");
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>The run once it has ended (any state but running), within <paramref name="seconds"/>.</summary>
    public static Task<JsonElement> WaitEndedAsync(HttpClient http, string id, int seconds = 90) =>
        PollAsync(() => GetJsonAsync(http, $"/api/runs/{id}"), r => r.GetProperty("state").GetString() != "running", $"run {id} ending", TimeSpan.FromSeconds(seconds));

    /// <summary>The run once <paramref name="step"/> is running and Slurm has started its attempt's job on a node (the attempt names it).</summary>
    public static Task<JsonElement> WaitRunningAsync(HttpClient http, string id, string step) =>
        PollAsync(
            () => GetJsonAsync(http, $"/api/runs/{id}"),
            r => r.GetProperty("steps").EnumerateArray().Any(s => s.GetProperty("id").GetString() == step && s.GetProperty("state").GetString() == "running")
                && r.GetProperty("attempts").EnumerateArray().Any(a => a.GetProperty("step").GetString() == step
                    && (a.GetProperty("locator").GetString() ?? string.Empty).StartsWith("slurm job ", StringComparison.Ordinal)
                    && a.GetProperty("node").ValueKind == JsonValueKind.String),
            $"step {step} of {id} running on a slurm node",
            TimeSpan.FromSeconds(60));

    /// <summary>The jobs squeue lists by name prefix <c>yard-RUN.</c>, each as (name, state).</summary>
    public static async Task<List<(string Name, string State)>> JobsOfRunAsync(SlurmTestCluster cluster, string runId)
    {
        var (_, output, _) = await cluster.RunAsync("squeue", ["--noheader", "--states=PD,R,CG,CF,S", "--format=%j|%T"], Ct);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|'))
            .Where(parts => parts.Length == 2 && parts[0].StartsWith($"yard-{runId}.", StringComparison.Ordinal))
            .Select(parts => (parts[0], parts[1].Trim()))];
    }

    /// <summary>The Slurm job id in a locator (<c>slurm job 42 on n1</c>).</summary>
    public static string JobId(string locator) => locator.Split(' ')[2];

    /// <summary>The attempts of <paramref name="step"/> in the run's JSON.</summary>
    public static List<JsonElement> Attempts(JsonElement run, string step) =>
        [.. run.GetProperty("attempts").EnumerateArray().Where(a => a.GetProperty("step").GetString() == step)];

    /// <summary>The state squeue (or, once forgotten, sacct) gives the job: RUNNING, CANCELLED, ...; empty when neither lists it.</summary>
    public static async Task<string> JobStateAsync(SlurmTestCluster cluster, string jobId)
    {
        var (_, output, _) = await cluster.RunAsync("squeue", ["--noheader", "--states=all", "--jobs=" + jobId, "--Format=State:|"], Ct);
        return output.Trim().TrimEnd('|');
    }

    /// <summary>Whether squeue lists the job among the live ones (pending, running, completing, suspended).</summary>
    public static async Task<bool> IsQueuedAsync(SlurmTestCluster cluster, string jobId)
    {
        var (_, output, _) = await cluster.RunAsync("squeue", ["--noheader", "--states=PD,R,CG,CF,S", "--jobs=" + jobId, "--format=%i"], Ct);
        return output.Trim().Length > 0;
    }
}
