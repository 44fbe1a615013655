using Microsoft.Extensions.Logging;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Logging;

namespace Yardmaster.Runtime.Pipelines;

public sealed partial class JobScheduler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Run {Run} ({Pipeline}) {State}: {Reason}")]
        public static partial void RunEnded(ILogger logger, string run, string pipeline, Core.Pipelines.RunState state, string reason);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Attempt {Attempt} re-attached: {Locator}")]
        public static partial void Reattached(ILogger logger, string attempt, string locator);

        [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Handling {Event} failed")]
        public static partial void EventFailed(ILogger logger, string @event, Exception exception);

        [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Writing the turn's transitions to the store failed ({Failures} time(s) in a row): {Error}; nothing of the turn is acted on, writing it again in {DelayMs} ms")]
        public static partial void StoreFailed(ILogger logger, int failures, string error, long delayMs, Exception exception);

        [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "The store is writable again after {Failures} failed write(s); the scheduler goes on")]
        public static partial void StoreWritable(ILogger logger, int failures);

        [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Stopping {Locator} failed")]
        public static partial void StopFailed(ILogger logger, string locator, Exception exception);

        [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Step {Step}: {Error}")]
        public static partial void MapSnapshotFailed(ILogger logger, string step, string error);

        [LoggerMessage(EventId = 107, Message = "Step {Step} {From} -> {To}: {Reason}")]
        public static partial void StepChanged(ILogger logger, LogLevel level, string step, string from, string to, string reason);
    }

    /// <summary>Logs a step's transition in the step's scope (RunId, StepId, Attempt): Debug for ready, Information for the rest.</summary>
    private void LogStepChanged(ActiveStep step, StepState from, StepState to, string reason)
    {
        var level = to == StepState.Ready ? LogLevel.Debug : LogLevel.Information;
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        var (fromName, toName) = (from.Name(), to.Name());
        using (StepScope(step))
        {
            Log.StepChanged(_logger, level, step.Record.StepId, fromName, toName, reason);
        }
    }

    /// <summary>The step's logging scope; its attempt is the latest one, none before the first.</summary>
    private IDisposable? StepScope(ActiveStep step) =>
        _logger.BeginScope(LogScope.Step(step.Run.Record.Id, step.Record.StepId, step.Record.Attempts > 0 ? step.Record.Attempts : null));
}
