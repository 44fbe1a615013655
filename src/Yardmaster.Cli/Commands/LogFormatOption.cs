using System.CommandLine;
using Yardmaster.Server.Logging;

namespace Yardmaster.Cli.Commands;

/// <summary>The <c>--log-format text|json</c> option of the servers.</summary>
internal static class LogFormatOption
{
    public static Option<LogFormat> Create() => new("--log-format")
    {
        Description = "Log lines on standard output: text (default) or json (one object per line, UTC timestamps, fields and scopes as properties)",
        DefaultValueFactory = _ => LogFormat.Text,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            switch (text.ToLowerInvariant())
            {
                case "text": return LogFormat.Text;
                case "json": return LogFormat.Json;
                default:
                    result.AddError($"--log-format: '{text}' is not one of text, json");
                    return LogFormat.Text;
            }
        },
    };
}
