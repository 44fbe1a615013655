using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Yardmaster.Storage.Sqlite;

/// <summary>How every store opens the one SQLite file: full path, folder created, pooled connections, foreign keys, the busy timeout.</summary>
internal static class SqliteFile
{
    /// <summary>The full path of <paramref name="path"/> (its folder created) and the connection string for it.</summary>
    public static (string FullPath, string ConnectionString) Prepare(string path)
    {
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = (int)SqliteRegistryStore.BusyTimeout.TotalSeconds,
        }.ToString();
        return (fullPath, connectionString);
    }

    /// <summary>Opens a connection with the busy timeout and <c>synchronous = NORMAL</c> (every connection needs both).</summary>
    public static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(int)SqliteRegistryStore.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;"), cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Prepares <paramref name="path"/>, opens the connection that will write, sets WAL and applies the migrations the
    /// file lacks: how a store with its own writer connection opens.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file has a newer schema than this code knows.</exception>
    public static async Task<(string FullPath, string ConnectionString, SqliteConnection Writer)> OpenWriterAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(time);
        var (fullPath, connectionString) = Prepare(path);
        var writer = await OpenAsync(connectionString, cancellationToken);
        try
        {
            await ExecuteAsync(writer, "PRAGMA journal_mode = WAL;", cancellationToken);
            await SqliteMigrations.ApplyAsync(writer, fullPath, time, cancellationToken);
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }

        return (fullPath, connectionString, writer);
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="connection"/>.</summary>
    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
