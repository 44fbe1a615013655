using System.CommandLine;
using Spectre.Console;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard top</c>: a live view of a running server (<see cref="TopView"/>), polled each second until <c>q</c> or
/// Ctrl-C. When standard output is not a terminal, or with <c>--once</c>, prints one frame as plain text and exits 0;
/// that frame polls twice, a second apart, so its request rates are measured too.
/// </summary>
internal static class TopCommand
{
    private static readonly TimeSpan _period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan _keyPoll = TimeSpan.FromMilliseconds(100);

    public static Command Create()
    {
        var server = new ServerOptions();
        var once = new Option<bool>("--once") { Description = "Print one frame as plain text and exit (the default when output is not a terminal)" };
        var command = new Command("top", "Watch a running server: tasks, replicas and memory, running steps, queued and running requests; q quits.") { once };
        server.AddTo(command);
        command.SetAction((parse, ct) => ServerCall.RunAsync(parse, server, async (client, token) =>
        {
            var time = TimeProvider.System;
            var display = client.Target.Display;
            var first = await TopFrame.PollAsync(client, time, token).ConfigureAwait(false);
            if (parse.GetValue(once) || Console.IsOutputRedirected)
            {
                await Task.Delay(_period, time, token).ConfigureAwait(false);
                var second = await TopFrame.PollAsync(client, time, token).ConfigureAwait(false);
                TextTable.Write(TopView.Render(display, second, first, time));
                return ExitCodes.Ok;
            }

            await AnsiConsole.Live(TopView.Render(display, first, null, time)).StartAsync(async live =>
            {
                var previous = first;
                while (await WaitAsync(time, token).ConfigureAwait(false))
                {
                    var frame = await TopFrame.PollAsync(client, time, token).ConfigureAwait(false);
                    live.UpdateTarget(TopView.Render(display, frame, previous, time));
                    previous = frame;
                }
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>Waits a period while watching the keyboard; false when <c>q</c> was pressed.</summary>
    private static async Task<bool> WaitAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        for (var waited = TimeSpan.Zero; waited < _period; waited += _keyPoll)
        {
            while (!Console.IsInputRedirected && Console.KeyAvailable)
            {
                if (Console.ReadKey(intercept: true).KeyChar is 'q' or 'Q')
                {
                    return false;
                }
            }

            await Task.Delay(_keyPoll, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
