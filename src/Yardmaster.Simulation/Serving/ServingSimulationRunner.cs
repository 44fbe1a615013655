using System.Diagnostics;
using Yardmaster.Simulation.Reporting;
using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Serving;

/// <summary><c>yard simulate</c> of an inference trace (azure-llm, mooncake, alibaba-genai, yard) through the server's own serving pass.</summary>
internal static class ServingSimulationRunner
{
    public static async Task<int> RunAsync(SimulateOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        Core.Configuration.YardConfig? config = null;
        if (options.Config is { } file)
        {
            // Loaded and validated as yard serve loads it: every error with file, line and field.
            var loaded = Runtime.Configuration.YardConfigLoader.Load(file);
            if (loaded.Config is null)
            {
                foreach (var e in Core.Configuration.ErrorReport.Shown(loaded.Errors))
                {
                    await error.WriteLineAsync($"error: {e}".AsMemory(), cancellationToken).ConfigureAwait(false);
                }

                await error.WriteLineAsync((Core.Configuration.ErrorReport.Count(loaded.Errors.Count) + $" in {file}; nothing simulated").AsMemory(), cancellationToken).ConfigureAwait(false);
                return 2;
            }

            config = loaded.Config;
            if (options.Format == TraceFormat.AlibabaGenAi && (config.Models.Count > 0 || config.Tasks.Count > 0))
            {
                await error.WriteLineAsync($"error: {file}: alibaba-genai takes its models and its task from the trace; --config may give its scheduler: settings only (see docs/simulation.md)".AsMemory(), cancellationToken).ConfigureAwait(false);
                return 2;
            }
        }

        var known = new[] { "queue", "eviction", "routing" };
        foreach (var (kind, name) in options.Policies)
        {
            var ok = kind switch
            {
                "queue" => Core.Queueing.QueuePolicies.Create(name) is not null,
                "eviction" => Core.Models.EvictionPolicies.Create(name) is not null,
                "routing" => Core.Models.RoutingPolicies.Create(name, new Random(1)) is not null,
                _ => false,
            };
            if (!ok)
            {
                var names = kind switch
                {
                    "queue" => string.Join(", ", Core.Queueing.QueuePolicies.Names),
                    "eviction" => string.Join(", ", Core.Models.EvictionPolicies.Names),
                    "routing" => string.Join(", ", Core.Models.RoutingPolicies.Names),
                    _ => "",
                };
                await error.WriteLineAsync((known.Contains(kind) ? $"error: --policy {kind}={name}: unknown; known: {names}" : $"error: --policy {kind}: not a policy of a request trace; known kinds: {string.Join(", ", known)}").AsMemory(), cancellationToken).ConfigureAwait(false);
                return 2;
            }
        }

        var problems = new TraceProblems(options.Trace, options.Strict);
        IReadOnlyList<TraceRequest> trace;
        try
        {
            trace = TraceReader.Read(options.Trace, options.Format, problems);
        }
        catch (TraceFormatException e)
        {
            await error.WriteLineAsync(("error: " + e.Message).AsMemory(), cancellationToken).ConfigureAwait(false);
            return 2;
        }

        foreach (var line in problems.Lines())
        {
            await error.WriteLineAsync(("warning: " + line).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        if (trace.Count == 0)
        {
            await error.WriteLineAsync($"error: {options.Trace} holds no request".AsMemory(), cancellationToken).ConfigureAwait(false);
            return 2;
        }

        var stopwatch = Stopwatch.StartNew();
        var (runs, notes) = options.Format == TraceFormat.AlibabaGenAi ? GenAiExperiment.Run(trace, options, config?.Scheduler) : LlmExperiment.Run(trace, options, config);
        var allNotes = notes.ToList();
        if (problems.Count > 0)
        {
            allNotes.Add($"{problems.Count} malformed rows of the trace were skipped (listed on standard error).");
        }

        allNotes.Add($"Simulated {trace.Count:N0} requests × {runs.Count} runs in {stopwatch.Elapsed.TotalSeconds:0.0} s.");
        var report = new SummaryReport("yard simulate", options.Trace, TraceFormats.Name(options.Format), runs, allNotes);
        var (json, markdown) = await SummaryWriter.WriteAsync(options.Output, report, cancellationToken).ConfigureAwait(false);
        var plots = ServingPlots.Plots(runs);
        foreach (var (name, svg) in plots)
        {
            await File.WriteAllTextAsync(Path.Combine(options.Output, name), svg, cancellationToken).ConfigureAwait(false);
        }

        await output.WriteAsync(SummaryWriter.ToMarkdown(report).AsMemory(), cancellationToken).ConfigureAwait(false);
        await error.WriteLineAsync($"wrote {json}, {markdown}{(plots.Count == 0 ? "" : " and " + string.Join(", ", plots.Select(p => p.File)))}".AsMemory(), cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
