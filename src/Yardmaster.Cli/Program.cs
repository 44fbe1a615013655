using Yardmaster.Cli;

return await YardCommand.RunAsync(args).ConfigureAwait(false);
