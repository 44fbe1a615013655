using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Yardmaster.Cli.Commands;

namespace Yardmaster.Cli;

/// <summary>The root of the <c>yard</c> command tree.</summary>
internal static class YardCommand
{
    /// <summary>Builds the command tree. Every command answers <c>--help</c> and <c>--version</c>.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Yardmaster: a scheduler for AI and LLM workloads.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ModelServerCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(PullCommand.Create());
        root.Subcommands.Add(ChatCommand.Create());
        root.Subcommands.Add(TasksCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(Commands.History.HistoryCommand.Create());
        root.Subcommands.Add(Commands.History.ReportCommand.Create());
        root.Subcommands.Add(PsCommand.Create());
        root.Subcommands.Add(TopCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(RetryCommand.Create());
        root.Subcommands.Add(ResumeCommand.Create());
        root.Subcommands.Add(Commands.Store.StoreCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(Commands.Bench.BenchCommand.Create());
        AddVersionEverywhere(root);
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A command line that does not parse prints every error
    /// to standard error and exits with <see cref="ExitCodes.Usage"/> (2) without running anything.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? error = null)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            error ??= Console.Error;
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync(e.Message.StartsWith('-') || e.Message.Contains(": ", StringComparison.Ordinal)
                    ? "error: " + e.Message
                    : $"error: {CommandPath(parse.CommandResult)}: {e.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync($"see '{CommandPath(parse.CommandResult)} --help'").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Insert(0, c.Command is RootCommand ? "yard" : c.Command.Name);
            }
        }

        return string.Join(' ', names);
    }

    private static void AddVersionEverywhere(Command command)
    {
        foreach (var sub in command.Subcommands)
        {
            if (!sub.Options.OfType<VersionOption>().Any())
            {
                sub.Options.Add(new VersionOption());
            }

            AddVersionEverywhere(sub);
        }
    }
}
