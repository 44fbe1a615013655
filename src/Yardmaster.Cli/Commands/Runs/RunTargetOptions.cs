using System.CommandLine;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Configuration;

namespace Yardmaster.Cli.Commands.Runs;

/// <summary>
/// Where a run command acts: <c>--server URL</c> (or <c>$YARD_SERVER</c>) for a running <c>yard serve</c>, else an
/// embedded scheduler on <c>--data</c> (default <c>$YARD_HOME</c>) configured by <c>--config</c>.
/// </summary>
internal sealed class RunTargetOptions
{
    private readonly Option<string?> _data = new("--data") { Description = "Data folder of the embedded scheduler: store, run folders and logs; with --server on this machine, where its admin.token is (default $YARD_HOME, else ~/.cache/yardmaster)" };
    private readonly ServerOptions _server;
    private readonly Option<string?> _config = new("--config", "-c") { Description = "yard.yaml for the embedded scheduler (devices, jobs); default: built-in defaults" };

    public RunTargetOptions() => _server = new ServerOptions(_data);

    public void AddTo(Command command)
    {
        _server.AddTo(command);
        command.Options.Add(_data);
        command.Options.Add(_config);
    }

    /// <summary>The backend, or an error to print (exit 2).</summary>
    public (IRunsBackend? Backend, YardApiClient? Client, string? Error) Resolve(ParseResult parse)
    {
        var remote = parse.GetResult(_server.ServerOption) is not null || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ServerOptions.ServerVariable));
        if (remote)
        {
            var (target, error) = _server.Resolve(parse);
            if (target is null)
            {
                return (null, null, error);
            }

            var client = new YardApiClient(target);
            return (new RemoteRuns(client), client, null);
        }

        var config = new YardConfig();
        if (parse.GetValue(_config) is { } file)
        {
            var loaded = YardConfigLoader.Load(file);
            if (loaded.Config is null)
            {
                return (null, null, string.Join(Environment.NewLine, loaded.Errors.Select(e => e.ToString())));
            }

            config = loaded.Config;
        }

        var data = Path.GetFullPath(parse.GetValue(_data) ?? ServeCommand.DefaultDataDirectory());
        return (new EmbeddedRuns(config, data), null, null);
    }
}
