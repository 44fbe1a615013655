using System.CommandLine;

namespace Yardmaster.Cli.Commands;

/// <summary><c>yard model</c>: commands that make or inspect model files.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Create and inspect model files.");
        command.Subcommands.Add(ModelCreateCommand.Create());
        command.Subcommands.Add(ModelBenchCommand.Create());
        return command;
    }
}
