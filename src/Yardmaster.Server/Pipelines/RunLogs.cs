using Yardmaster.Core.Pipelines;
using Yardmaster.Core.Runs;
using Yardmaster.Server.Gateway;

namespace Yardmaster.Server.Pipelines;

/// <summary>A step's log over HTTP: the latest attempt (or <c>?attempt=N</c>) as text; <c>?follow=true</c> keeps streaming until the attempt ends.</summary>
internal static class RunLogs
{
    public static async Task WriteAsync(HttpContext http, IRunStore store, string runId, string stepId)
    {
        var detail = await store.GetRunAsync(runId, http.RequestAborted).ConfigureAwait(false);
        if (detail is null)
        {
            await Problem.WriteAsync(http.Response, 404, $"there is no run '{runId}'").ConfigureAwait(false);
            return;
        }

        if (!detail.Steps.Any(s => s.StepId == stepId))
        {
            await Problem.WriteAsync(http.Response, 404, $"run {runId} has no step '{stepId}'; it has: {string.Join(", ", detail.Steps.Select(s => s.StepId))}").ConfigureAwait(false);
            return;
        }

        var attempts = detail.Attempts.Where(a => a.StepId == stepId).ToList();
        var wanted = int.TryParse(http.Request.Query["attempt"], out var n) ? attempts.FirstOrDefault(a => a.Number == n) : attempts.LastOrDefault();
        if (wanted is null)
        {
            await Problem.WriteAsync(http.Response, 404, attempts.Count == 0 ? $"step '{stepId}' has not started yet" : $"step '{stepId}' has no attempt {http.Request.Query["attempt"]}").ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "text/plain; charset=utf-8";
        var follow = string.Equals(http.Request.Query["follow"], "true", StringComparison.OrdinalIgnoreCase);
        await LogTail.CopyAsync(wanted.LogPath, http.Response.Body, follow ? ct => StillRunningAsync(store, wanted, ct) : null, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<bool> StillRunningAsync(IRunStore store, AttemptRecord attempt, CancellationToken cancellationToken)
    {
        var detail = await store.GetRunAsync(attempt.RunId, cancellationToken).ConfigureAwait(false);
        return detail?.Attempts.FirstOrDefault(a => a.StepId == attempt.StepId && a.Number == attempt.Number)?.Outcome == AttemptOutcome.Running;
    }
}
