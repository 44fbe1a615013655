using System.CommandLine;
using System.Globalization;
using Yardmaster.Core.Configuration;
using Yardmaster.Storage.Copy;

namespace Yardmaster.Cli.Commands.Store;

/// <summary>
/// <c>yard store migrate --from sqlite:PATH --to postgres://USER@HOST:PORT/DB</c>: copies a SQLite store into PostgreSQL in
/// one transaction (<see cref="StoreCopy"/>), then prints the rows copied per table. A target that already holds rows is
/// refused (exit 1) unless <c>--force</c>, which replaces them.
/// </summary>
internal static class StoreCommand
{
    private const string SqlitePrefix = "sqlite:";

    public static Command Create()
    {
        var store = new Command("store", "The store itself: move a SQLite store to PostgreSQL.");
        store.Subcommands.Add(Migrate());
        return store;
    }

    private static Command Migrate()
    {
        var from = new Option<string>("--from") { Description = "The SQLite store to copy: sqlite:PATH (e.g. sqlite:~/.cache/yardmaster/yard.db); it is only read", Required = true };
        var to = new Option<string>("--to") { Description = "The PostgreSQL database to copy into: postgres://USER@HOST:PORT/DB (no password in it)", Required = true };
        var passwordEnv = new Option<string?>("--password-env") { Description = "Environment variable holding the database password (default: ~/.pgpass or $PGPASSFILE)" };
        var force = new Option<bool>("--force") { Description = "Replace whatever the target already holds (by default a target with rows is refused)" };
        var command = new Command("migrate", "Copy every table of a SQLite store (tasks, models, credentials, runs with steps, attempts and transitions, the run ids, the history) into PostgreSQL, in one transaction.")
        {
            from, to, passwordEnv, force,
        };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(from)!;
            if (!source.StartsWith(SqlitePrefix, StringComparison.Ordinal) || source.Length == SqlitePrefix.Length)
            {
                await Console.Error.WriteLineAsync($"error: --from must be sqlite:PATH (got '{source}')").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var target = new StoreSettings { Url = parse.GetValue(to), PasswordEnv = parse.GetValue(passwordEnv) };
            if (!PostgresUrl.TryParse(target.Url, out var url, out var urlError))
            {
                await Console.Error.WriteLineAsync($"error: --to {urlError}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var path = ExpandHome(source[SqlitePrefix.Length..]);
            StoreCopyResult result;
            try
            {
                result = await StoreCopy.RunAsync(path, target, parse.GetValue(force), TimeProvider.System, ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message.Replace("store.password_env", "--password-env", StringComparison.Ordinal)}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (result.Refusal is { } refusal)
            {
                await Console.Error.WriteLineAsync($"error: {url}: {refusal}; nothing was copied").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var table = TextTable.Create("table", "rows");
            foreach (var (name, rows) in result.Tables)
            {
                TextTable.AddRow(table, name, rows.ToString(CultureInfo.InvariantCulture));
            }

            TextTable.Write(table);
            await Console.Out.WriteLineAsync($"copied {Path.GetFullPath(path)} to {url} in one transaction; the next run id there is {result.NextRunId}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]) : path;
}
