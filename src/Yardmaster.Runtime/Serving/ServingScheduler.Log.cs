using Microsoft.Extensions.Logging;

namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Model {Model} replica {Replica} ready in {Milliseconds:0} ms, {Bytes} bytes")]
        public static partial void Loaded(ILogger logger, string model, int replica, double milliseconds, long bytes);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Model {Model} replica {Replica} failed: {Reason}; restart after {BackoffMs:0} ms")]
        public static partial void Failed(ILogger logger, string model, int replica, string reason, double backoffMs);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Model {Model} replica {Replica} unloading: {Reason}")]
        public static partial void Unloading(ILogger logger, string model, int replica, string reason);
    }
}
