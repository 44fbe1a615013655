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

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Request {RequestId} of task {Task} refused ({Code}): {Reason}")]
        public static partial void Refused(ILogger logger, string requestId, string task, string code, string reason);

        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Model {Model} scaling out to {Replicas} replicas ({Queued} requests queued)")]
        public static partial void ScalingOut(ILogger logger, string model, int replicas, int queued);

        [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Model {Model} replica {Replica} loading on {Device} ({Room})")]
        public static partial void LoadStarting(ILogger logger, string model, int replica, string device, string room);

        [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Model {Model} replica {Replica} still runs from an earlier server; taking it over")]
        public static partial void Adopting(ILogger logger, string model, int replica);

        [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Model {Model} claims {Bytes} bytes of host memory back from pipeline steps for {Class} requests")]
        public static partial void Claimed(ILogger logger, string model, long bytes, Core.PriorityClass @class);
    }
}
