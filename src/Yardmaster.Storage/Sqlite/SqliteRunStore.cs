using System.Globalization;
using Microsoft.Data.Sqlite;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Sqlite;

/// <summary>
/// Runs, steps, attempts and transitions in the SQLite file of the registry (schema version 2). WAL mode with
/// <c>synchronous = NORMAL</c>: a committed batch survives the process being killed at any moment (it may be
/// lost only if the machine itself loses power). Batches go through one writer connection, one transaction
/// each, with prepared statements; reads use their own pooled connections and never wait for a write.
/// </summary>
/// <remarks>Thread-safe. Times are UTC ISO 8601.</remarks>
public sealed partial class SqliteRunStore : IRunStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly SqliteBatchWriter _batchWriter;
    private int _disposed;

    private SqliteRunStore(string path, string connectionString, TimeProvider time, SqliteConnection writer)
    {
        Path = path;
        _connectionString = connectionString;
        _time = time;
        _writer = writer;
        _batchWriter = new SqliteBatchWriter(writer);
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) the store at <paramref name="path"/> and applies the migrations it lacks.</summary>
    /// <exception cref="InvalidOperationException">The file has a newer schema than this code knows.</exception>
    public static async Task<SqliteRunStore> OpenAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        var (fullPath, connectionString, writer) = await SqliteFile.OpenWriterAsync(path, time, cancellationToken);

        return new SqliteRunStore(fullPath, connectionString, time, writer);
    }

    /// <inheritdoc/>
    public async Task<string> NextRunIdAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _writer.CreateCommand();
            command.CommandText = "INSERT INTO run_ids (created_at) VALUES ($at) RETURNING id;";
            command.Parameters.AddWithValue("$at", Text(_time.GetUtcNow()));
            var id = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            return "r" + id.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw WriteFailed(e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task WriteAsync(RunStoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            await using var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(cancellationToken);
            _batchWriter.Write(batch, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw WriteFailed(e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writeGate.WaitAsync();
        _batchWriter.Dispose();
        await _writer.DisposeAsync();
        _writeGate.Dispose();
    }

    /// <summary>SQLite's result codes for a full disk (<c>SQLITE_FULL</c>) and an I/O error (<c>SQLITE_IOERR</c>), and any I/O exception.</summary>
    private static bool IsWriteFailure(Exception e) => e is SqliteException { SqliteErrorCode: 13 or 10 } or IOException;

    private StoreWriteException WriteFailed(Exception e) =>
        StoreWriteException.For(e, System.IO.Path.GetDirectoryName(Path) ?? Path, diskFull: e is SqliteException { SqliteErrorCode: 13 });

    internal static string Text(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    internal static DateTimeOffset? Time(object value) =>
        value is string s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal) : null;
}
