using Microsoft.Extensions.Logging;

namespace Yardmaster.Server.Adapt;

/// <summary>What <c>scheduler.adapt</c> and <c>PUT /api/scheduler</c> log.</summary>
internal static partial class AdaptLog
{
    [LoggerMessage(EventId = 124, Level = LogLevel.Information, Message = "Scheduler settings changed ({Source}, change {Id}): {Change}; predicted {Predicted}")]
    public static partial void Changed(ILogger logger, string source, int id, string change, string predicted);

    [LoggerMessage(EventId = 125, Level = LogLevel.Information, Message = "Scheduler change {Id} kept: measured {After:0.###} against {Before:0.###} before it ({Requests} requests)")]
    public static partial void Kept(ILogger logger, int id, double after, double before, int requests);

    [LoggerMessage(EventId = 126, Level = LogLevel.Warning, Message = "Scheduler change {Id} reverted: measured {After:0.###} against {Before:0.###} before it ({Requests} requests); back to {Settings}")]
    public static partial void Reverted(ILogger logger, int id, double after, double before, int requests, string settings);

    [LoggerMessage(EventId = 127, Level = LogLevel.Debug, Message = "Scheduler adapt: {Verdict} ({Requests} requests in the window): {Detail}")]
    public static partial void Checked(ILogger logger, string verdict, int requests, string detail);

    [LoggerMessage(EventId = 128, Level = LogLevel.Warning, Message = "Scheduler adapt failed (the settings stay as they are): {Reason}")]
    public static partial void Failed(ILogger logger, string reason);
}
