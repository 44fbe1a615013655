using Microsoft.Data.Sqlite;
using Quartz;

namespace Yardmaster.QuartzBench;

/// <summary>
/// Creates the QRTZ_ tables in an empty SQLite file before the scheduler starts, which then only validates
/// them (its default). The DDL is the one the Quartz package ships as a resource of its own assembly for
/// SQLite, so it is always the schema of the referenced version: 4.x added tables and columns (execution
/// and misfire history, job status, paused job groups) that the older <c>tables_sqlite.sql</c> of the 3.x
/// line lacks, and the 4.x store refuses to start on that schema.
/// </summary>
internal static class QuartzSchema
{
    private const string Resource = "Quartz.Impl.AdoJobStore.Schema.create_sqlite.sql";
    private const string Prefix = "QRTZ_";

    /// <summary>Runs every statement of the DDL (statements are separated by a line <c>--;;</c>); returns how many.</summary>
    public static async Task<int> CreateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var script = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var statements = script.Replace("{0}", Prefix, StringComparison.Ordinal).Replace("{1}", Prefix, StringComparison.Ordinal)
            .Split("\n--;;", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s.Split('\n').Any(line => line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal)))
            .ToList();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var statement in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return statements.Count;
    }

    private static async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        var assembly = typeof(IJob).Assembly;
        await using var stream = assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"{assembly.GetName()} has no resource {Resource}: the Quartz version changed where it keeps its SQLite DDL.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
