using System.CommandLine;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Configuration;

namespace Yardmaster.Cli.Commands.History;

/// <summary>
/// Which store a command reads without a server: <c>--config yard.yaml</c> (its <c>store.path</c>, or the PostgreSQL
/// database of its <c>store.url</c>) or <c>--data</c> (default <c>$YARD_HOME</c>, else ~/.cache/yardmaster), <c>yard.db</c>
/// in it. Works with the server stopped (or running: SQLite's WAL lets a reader beside the writer).
/// </summary>
internal sealed class StoreTarget
{
    private readonly Option<string?> _data = new("--data") { Description = "Data folder whose store (yard.db) to read (default $YARD_HOME, else ~/.cache/yardmaster)" };
    private readonly Option<string?> _config = new("--config", "-c") { Description = "yard.yaml whose store.path to read" };

    /// <summary>The <c>--data</c> option (shared with <see cref="ServerOptions"/> where a command can also ask a server).</summary>
    public Option<string?> DataOption => _data;

    public void AddTo(Command command)
    {
        command.Options.Add(_data);
        command.Options.Add(_config);
    }

    /// <summary>True when the user named a store (so a command that can also ask a server reads the store).</summary>
    public bool Named(ParseResult parse) => parse.GetResult(_data) is not null || parse.GetResult(_config) is not null;

    /// <summary>The store's settings (a SQLite file that exists, or a PostgreSQL URL), or the error to print (exit 2): an invalid config, or no store there.</summary>
    public (StoreSettings? Store, string? Error) Resolve(ParseResult parse)
    {
        YardConfig? config = null;
        if (parse.GetValue(_config) is { } file)
        {
            var loaded = YardConfigLoader.Load(file);
            if (loaded.Config is null)
            {
                return (null, string.Join(Environment.NewLine, loaded.Errors.Select(e => e.ToString())));
            }

            config = loaded.Config;
        }

        return Resolve(parse.GetValue(_data), config);
    }

    /// <summary>
    /// The store of <paramref name="config"/> (its PostgreSQL URL, or its <c>store.path</c>), else <c>yard.db</c> in
    /// <paramref name="data"/> (default <c>$YARD_HOME</c>, else ~/.cache/yardmaster); or the error when no such SQLite file exists.
    /// </summary>
    public static (StoreSettings? Store, string? Error) Resolve(string? data, YardConfig? config)
    {
        if (config is { Store.IsPostgres: true })
        {
            return (config.Store, null);
        }

        var path = config?.Store.Path ?? System.IO.Path.Combine(System.IO.Path.GetFullPath(data ?? ServeCommand.DefaultDataDirectory()), "yard.db");
        return File.Exists(path)
            ? (new StoreSettings { Path = path }, null)
            : (null, $"no store at {path}; name the data folder of a server that has run (--data) or its config (--config)");
    }
}
