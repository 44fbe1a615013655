using System.Globalization;
using Yardmaster.Core.Statistics;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary>
/// Replays a trace against a running gateway: each request is sent at its trace time divided by the speed (open loop:
/// a slow answer never delays the next send), streamed, timed; then requests.csv, summary.json and summary.md.
/// </summary>
internal static class TraceReplayer
{
    /// <summary>Runs the replay; returns the exit code (0 done, 1 the server could not be reached, 2 a bad trace).</summary>
    public static async Task<int> RunAsync(ReplayOptions options, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        var problems = new TraceProblems(options.Trace, options.Strict);
        IReadOnlyList<TraceRequest> trace;
        try
        {
            trace = TraceReader.Read(options.Trace, options.Format, problems);
        }
        catch (TraceFormatException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        foreach (var line in problems.Lines())
        {
            await error.WriteLineAsync($"warning: {line} (skipped)").ConfigureAwait(false);
        }

        var requests = trace.Take(options.MaxRequests ?? int.MaxValue).ToList();
        if (requests.Count == 0)
        {
            await error.WriteLineAsync($"error: {options.Trace} holds no request to replay").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        var (slos, why) = await TaskSlos.GetAsync(http, options.Url, options.Key, cancellationToken).ConfigureAwait(false);
        var call = new ReplayCall(http, options.Url, options.Key, options.Chat, time, options.Timeout);
        await error.WriteLineAsync($"replaying {requests.Count} request(s) of {options.Trace} against {options.Url} at {Number(options.Speed)}× speed").ConfigureAwait(false);

        var start = time.GetTimestamp();
        var sends = new Task<ReplayedRequest>[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            var due = TimeSpan.FromTicks((long)(r.Offset.Ticks / options.Speed));
            var wait = due - time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            var task = r.Task ?? options.Task ?? TraceTasks.For(r, i);
            sends[i] = SendAsync(call, r, i, task, due, time, start, cancellationToken);
        }

        var results = await Task.WhenAll(sends).ConfigureAwait(false);
        var duration = results.Max(r => r.Sent + r.Latency);
        var builder = new RunSummaryBuilder(slos ?? new Dictionary<string, SloTarget>());
        foreach (var r in results)
        {
            builder.Add(new RequestResult(r.Task, r.Outcome, r.Ttft, r.Latency, r.Status, r.Reason));
        }

        var parameters = new List<KeyValuePair<string, string>>
        {
            new("url", options.Url.ToString().TrimEnd('/')),
            new("speed", Number(options.Speed) + "×"),
            new("requests", requests.Count.ToString(CultureInfo.InvariantCulture)),
            new("endpoint", options.Chat ? "/v1/chat/completions" : "/v1/completions"),
        };
        var report = new SummaryReport("yard bench replay", options.Trace, TraceFormats.Name(options.Format), [builder.Build("replay", parameters, duration)], Notes(options, slos, why, problems, results));
        Directory.CreateDirectory(options.Output);
        await RequestsCsv.WriteAsync(Path.Combine(options.Output, "requests.csv"), results, cancellationToken).ConfigureAwait(false);
        await SummaryWriter.WriteAsync(options.Output, report, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(SummaryWriter.ToMarkdown(report)).ConfigureAwait(false);
        await error.WriteLineAsync($"wrote requests.csv, summary.json and summary.md to {options.Output}").ConfigureAwait(false);

        if (results.All(r => r.Reason == "connection_failed"))
        {
            await error.WriteLineAsync($"error: cannot reach the gateway at {options.Url}: every request failed to connect").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    private static async Task<ReplayedRequest> SendAsync(ReplayCall call, TraceRequest r, int index, string task, TimeSpan due, TimeProvider time, long start, CancellationToken cancellationToken)
    {
        var sent = time.GetElapsedTime(start);
        var maxTokens = Math.Max(1, r.OutputTokens);
        var prompt = ReplayPrompt.Build(r.PromptTokens, index, r.PrefixBlocks);
        var a = await call.SendAsync(task, prompt, maxTokens, cancellationToken).ConfigureAwait(false);
        return new ReplayedRequest(r.Line, task, due, sent, r.PromptTokens, maxTokens, a.Outcome, a.Status, a.Outcome == RequestOutcome.Completed ? null : a.Reason, a.Ttft, a.Latency, a.PromptTokens, a.OutputTokens);
    }

    private static List<string> Notes(ReplayOptions options, IReadOnlyDictionary<string, SloTarget>? slos, string? why, TraceProblems problems, ReplayedRequest[] results)
    {
        var counted = results.Where(r => r.ServedPromptTokens is not null).ToList();
        var notes = new List<string>
        {
            options.Task is null
                ? "Task: the one the trace names; else by its class, else by the default split (chat 20%, search 30%, batch 50% by SplitMix64 of the request's index)."
                : $"Task: the one the trace names, else {options.Task}.",
            "Prompt: one word per prompt token of the trace (a word is about a token with the builtin tokenizers; served_prompt_tokens in requests.csv is the server's count); max_tokens: the trace's output length (at least 1), ignore_eos set.",
            slos is null
                ? $"SLO attainment: none ({why})."
                : "SLO attainment: per the tasks' SLOs from GET /api/tasks (TTFT and latency as the gateway counts them; refused, timed-out and failed requests miss); goodput: requests completed within their SLO per second of the run.",
        };
        if (counted.Count > 0)
        {
            var ratio = (double)counted.Sum(r => (long)r.ServedPromptTokens!.Value) / Math.Max(1, counted.Sum(r => (long)r.PromptTokens));
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Prompt tokens: the server counted {ratio:0.00} token(s) per word sent ({counted.Count} answers with usage)."));
        }

        if (problems.Count > 0)
        {
            notes.Add($"Trace: {problems.Count} malformed row(s) skipped (the first: {problems.Lines().First()}).");
        }

        return notes;
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
