using Microsoft.Extensions.Logging;

namespace Yardmaster.Server.Gateway;

/// <summary>What the gateway's composition root logs.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "History row {Table} {Name} cannot be read and is left out: {Errors}")]
    public static partial void UnreadableHistory(ILogger logger, string table, string name, string errors);
}
