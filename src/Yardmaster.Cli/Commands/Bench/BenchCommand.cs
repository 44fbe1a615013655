using System.CommandLine;

namespace Yardmaster.Cli.Commands.Bench;

/// <summary><c>yard bench</c>: measurements against a running server.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure a running server: replay a trace against it.");
        command.Subcommands.Add(ReplayCommand.Create());
        return command;
    }
}
