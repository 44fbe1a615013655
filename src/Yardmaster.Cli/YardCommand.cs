using System.CommandLine;
using Yardmaster.Cli.Commands;

namespace Yardmaster.Cli;

/// <summary>The root of the <c>yard</c> command tree.</summary>
internal static class YardCommand
{
    /// <summary>Builds the command tree. Every command answers <c>--help</c> and <c>--version</c>.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Yardmaster: a scheduler for AI and LLM workloads.")
        {
            ModelServerCommand.Create(),
        };
        AddVersionEverywhere(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Build();
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
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
