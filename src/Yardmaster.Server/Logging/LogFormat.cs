namespace Yardmaster.Server.Logging;

/// <summary>How the servers write their log lines on standard output (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>One line of text per entry, with its scopes (<c>=> request req_1</c>). The default.</summary>
    Text,

    /// <summary>One JSON object per line: timestamp (UTC), level, category, message, the template's fields and the scopes as properties.</summary>
    Json,
}
