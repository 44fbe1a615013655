using Microsoft.Extensions.Logging;

namespace Yardmaster.Cli.Commands;

/// <summary>The lines <c>yard model-server</c> prints about itself, as log entries when the log format is JSON.</summary>
internal static partial class ModelServerCommand
{
    /// <summary>The category of those lines; always shown, as the text lines are.</summary>
    private const string Category = "Yardmaster.ModelServer";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "yard model-server: {Summary}")]
        public static partial void Serving(ILogger logger, string summary);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "listening on {Url}")]
        public static partial void Listening(ILogger logger, string url);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "yard model-server: stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
