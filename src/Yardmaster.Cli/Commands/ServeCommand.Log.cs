using Microsoft.Extensions.Logging;

namespace Yardmaster.Cli.Commands;

/// <summary>The lines <c>yard serve</c> prints about itself, as log entries when the log format is JSON.</summary>
internal static partial class ServeCommand
{
    /// <summary>The category of those lines; shown at every verbosity, as the text lines are.</summary>
    private const string Category = "Yardmaster.Serve";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "yard serve: {TaskCount} task(s) [{Tasks}], {ModelCount} model(s) [{Models}]; store {Store}")]
        public static partial void Serving(ILogger logger, int taskCount, string tasks, int modelCount, string models, string store);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "listening on {Url}")]
        public static partial void Listening(ILogger logger, string url);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "admin token for /api: {TokenFile} ({Kept}, mode 0600); the yard CLI of this user on this machine reads it; elsewhere pass --admin-key")]
        public static partial void AdminToken(ILogger logger, string tokenFile, string kept);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "yard serve: stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
