using Yardmaster.Cli;

SocketTuning.Apply();
return await YardCommand.RunAsync(args).ConfigureAwait(false);
