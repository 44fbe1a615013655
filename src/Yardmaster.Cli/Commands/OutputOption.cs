using System.CommandLine;

namespace Yardmaster.Cli.Commands;

/// <summary>The <c>--output text|json</c> option shared by commands that print a result.</summary>
internal static class OutputOption
{
    public static Option<OutputFormat> Create() => new("--output")
    {
        Description = "Result format: text (default) or json",
        DefaultValueFactory = _ => OutputFormat.Text,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            switch (text.ToLowerInvariant())
            {
                case "text": return OutputFormat.Text;
                case "json": return OutputFormat.Json;
                default:
                    result.AddError($"--output: '{text}' is not one of text, json");
                    return OutputFormat.Text;
            }
        },
    };
}
