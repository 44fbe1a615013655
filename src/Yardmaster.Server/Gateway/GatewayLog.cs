using Microsoft.Extensions.Logging;

namespace Yardmaster.Server.Gateway;

/// <summary>What the gateway's composition root logs.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "History row {Table} {Name} cannot be read and is left out: {Errors}")]
    public static partial void UnreadableHistory(ILogger logger, string table, string name, string errors);

    [LoggerMessage(EventId = 115, Level = LogLevel.Warning, Message = "The shared registry could not be reread (this instance keeps what it had): {Reason}")]
    public static partial void RegistryRefreshFailed(ILogger logger, string reason);
}
