using System.Text.Json;

namespace Yardmaster.Server.Tests.Cluster;

/// <summary>
/// The pipeline the failover tests kill a leader under: <c>a</c> and <c>b</c> run side by side for a few seconds, then
/// <c>c</c>, then <c>d</c>; each appends one line to its own file in the run's working directory first, so a step that ran
/// twice shows two lines.
/// </summary>
internal static class FailoverPipeline
{
    /// <summary>The steps, in order.</summary>
    public static readonly string[] Steps = ["a", "b", "c", "d"];

    /// <summary>The pipeline's text; <paramref name="seconds"/> is how long <c>a</c> and <c>b</c> sleep.</summary>
    public static string Yaml(int seconds) => $"""
        name: failover
        steps:
          - id: a
            run: echo a >> a.txt; sleep {seconds}
          - id: b
            run: echo b >> b.txt; sleep {seconds}
          - id: c
            needs: [a, b]
            run: echo c >> c.txt; sleep 1
          - id: d
            needs: [c]
            run: echo d >> d.txt
        """;

    /// <summary>
    /// The steps that run on Slurm now: state running, job id stored, line written. (Other tests may share the cluster's
    /// four CPUs, so <c>a</c> and <c>b</c> need not run at the same time.)
    /// </summary>
    public static IReadOnlyList<string> Running(JsonElement run)
    {
        var directory = run.GetProperty("working_directory").GetString()!;
        var jobs = Jobs(run);
        return [.. run.GetProperty("steps").EnumerateArray()
            .Where(s => s.GetProperty("state").GetString() == "running")
            .Select(s => s.GetProperty("id").GetString()!)
            .Where(id => jobs.GetValueOrDefault(id) is not null && File.Exists(Path.Combine(directory, id + ".txt")))];
    }

    /// <summary>Each step's Slurm job id (from the attempt's locator, <c>slurm job 42</c> or, once started on a node, <c>slurm job 42 on n1</c>), by step.</summary>
    public static Dictionary<string, string?> Jobs(JsonElement run) =>
        run.GetProperty("attempts").EnumerateArray().ToDictionary(a => a.GetProperty("step").GetString()!, a => a.GetProperty("locator").GetString()?.Split(' ').ElementAtOrDefault(2));

    /// <summary>Asserts what a user sees of a run that survived: succeeded, each step once (one attempt, one line in its file).</summary>
    public static void AssertEveryStepOnce(JsonElement run, string output)
    {
        Assert.True(run.GetProperty("state").GetString() == "succeeded", run.GetRawText() + "\n" + output);
        var directory = run.GetProperty("working_directory").GetString()!;
        foreach (var step in Steps)
        {
            Assert.Equal([step], File.ReadAllLines(Path.Combine(directory, step + ".txt")));
        }

        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.Equal(1, s.GetProperty("attempts").GetInt32()));
        var attempts = run.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("step").GetString(), a.GetProperty("number").GetInt32(), a.GetProperty("outcome").GetString(), a.GetProperty("executor").GetString())).Order().ToList();
        Assert.Equal(Steps.Select(s => ((string?)s, 1, (string?)"succeeded", (string?)"slurm")), attempts);
    }
}
