using System.Globalization;
using Microsoft.Extensions.Logging;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.History;
using Yardmaster.Core.Queueing;
using Yardmaster.Runtime.History;
using Yardmaster.Runtime.Serving;
using Yardmaster.Simulation.Tuning;

namespace Yardmaster.Server.Adapt;

/// <summary>
/// <c>scheduler.adapt</c> while serving: every <c>every</c>, either judges the change being measured (once a window has
/// passed since it: kept, or reverted when it measured worse by the margin) or replays the last window of the request log
/// through the simulator (<see cref="AdaptPlanner"/>) and puts in force a change predicted better on every seed. One change
/// at a time; every change and verdict goes to the <see cref="AdaptationJournal"/> and the log.
/// </summary>
internal sealed class SchedulerAdapter(
    AdaptSettings adapt,
    ServingScheduler scheduler,
    Func<YardConfig> config,
    HistoryRecorder recorder,
    IHistoryStore store,
    AdaptationJournal journal,
    TimeProvider time,
    ILogger log) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>Since when the settings in force have been: this server's start, or the last change or revert. What was measured before it ran under other settings.</summary>
    private DateTimeOffset _inForceSince = time.GetUtcNow();

    /// <summary>Starts the loop; its first look is <c>every</c> after now.</summary>
    public void Start() => _loop = RunAsync(_stopping.Token);

    /// <summary>One look now (the loop's body): judge the change being measured, or search for one.</summary>
    public async Task StepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        var objective = TuneScore.Parse(adapt.Objective);
        var current = config();
        var tasks = current.Tasks;
        if (journal.Measuring is { } measuring)
        {
            await JudgeAsync(measuring, now, tasks, objective, cancellationToken).ConfigureAwait(false);
            return;
        }

        var rows = await ReadAsync(now - adapt.Window, now, cancellationToken).ConfigureAwait(false);
        if (rows.Count < adapt.MinRequests)
        {
            Check(now, rows.Count, "too_few_requests", $"at least {adapt.MinRequests} are needed to tune on");
            return;
        }

        var settings = scheduler.Settings;
        // The search is CPU work of seconds: off the loop's thread, bounded by adapt.budget.
        var proposal = await Task.Run(() => AdaptPlanner.Propose(rows, current with { Scheduler = settings }, adapt), cancellationToken).ConfigureAwait(false);
        var search = proposal.Search;
        if (proposal.Change is not { } change)
        {
            Check(now, rows.Count, "no_change", string.Create(CultureInfo.InvariantCulture,
                $"best found {search.Best.Mean:0.###} against {search.Current.Mean:0.###} now over {search.Evaluated} configurations; a change needs more than +{adapt.Margin:0.###} on every seed"));
            return;
        }

        // Measured only over the time the settings being replaced were in force (the search may replay older arrivals).
        var entries = journal.Entries;
        var inForce = entries.Count > 0 && entries[^1].At > _inForceSince ? entries[^1].At : _inForceSince; // a change by hand counts too
        var since = now - adapt.Window > inForce ? now - adapt.Window : inForce;
        var before = AdaptPlanner.Measure([.. rows.Where(r => r.Arrival >= since)], tasks, objective, since, now);
        scheduler.Retune(change, QueuePolicies.Create(change.Queue)!);
        _inForceSince = now;
        var entry = journal.Add(now, "adapt", settings, change, search, before);
        var predicted = string.Create(CultureInfo.InvariantCulture, $"{search.Best.Mean:0.###} against {search.Current.Mean:0.###} ({adapt.Objective}), measured {before.Score:0.###} before");
        var described = SchedulerDiff.Describe(settings, change);
        AdaptLog.Changed(log, "adapt", entry.Id, described, predicted);
        Check(now, rows.Count, "changed", $"change {entry.Id}: {described}");
    }

    private async Task JudgeAsync(Adaptation change, DateTimeOffset now, IReadOnlyList<TaskDefinition> tasks, TuneObjective objective, CancellationToken cancellationToken)
    {
        var end = change.At + adapt.Window;
        if (now < end)
        {
            Check(now, 0, "measuring", string.Create(CultureInfo.InvariantCulture, $"change {change.Id} is judged at {end:O}"));
            return;
        }

        var rows = await ReadAsync(change.At, end, cancellationToken).ConfigureAwait(false);
        var after = AdaptPlanner.Measure(rows, tasks, objective, change.At, end);
        if (rows.Count < adapt.MinRequests || change.Before is not { } before || before.Requests < adapt.MinRequests)
        {
            journal.Update(change with { Status = "kept", After = after, Note = $"not judged: {rows.Count} requests in the window after it, {change.Before?.Requests ?? 0} before it under the settings it replaced (min_requests {adapt.MinRequests})" });
            Check(now, rows.Count, "kept", $"change {change.Id} kept unjudged: too few requests after it");
            return;
        }

        if (AdaptPlanner.Worse(before, after, adapt.Margin))
        {
            scheduler.Retune(change.From, QueuePolicies.Create(change.From.Queue)!);
            _inForceSince = now;
            journal.Update(change with { Status = "reverted", After = after, Note = string.Create(CultureInfo.InvariantCulture, $"measured {after.Score:0.###} against {before.Score:0.###} before it") });
            var back = SchedulerDiff.Describe(change.To, change.From);
            AdaptLog.Reverted(log, change.Id, after.Score, before.Score, rows.Count, back);
            Check(now, rows.Count, "reverted", $"change {change.Id} reverted");
            return;
        }

        journal.Update(change with { Status = "kept", After = after, Note = string.Create(CultureInfo.InvariantCulture, $"measured {after.Score:0.###} against {before.Score:0.###} before it") });
        AdaptLog.Kept(log, change.Id, after.Score, before.Score, rows.Count);
        Check(now, rows.Count, "kept", $"change {change.Id} kept");
    }

    private async Task<List<RequestLogRecord>> ReadAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var rows = new List<RequestLogRecord>();
        await foreach (var row in store.ReadRequestsAsync(since, until, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    private void Check(DateTimeOffset at, int requests, string verdict, string detail)
    {
        journal.Checked(new AdaptCheck(at, requests, verdict, detail));
        AdaptLog.Checked(log, verdict, requests, detail);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(adapt.Every, time, cancellationToken).ConfigureAwait(false);
                await StepAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Check(time.GetUtcNow(), 0, "failed", e.Message);
                AdaptLog.Failed(log, e.Message);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
