using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Yardmaster.Storage.Tests.Sqlite;

/// <summary>Direct access to a store's file, behind the store's back, as an operator (or a bug) would.</summary>
internal static class SqliteTestFile
{
    public static async Task<object?> ScalarAsync(string path, string sql, CancellationToken ct)
    {
        await using var connection = await OpenAsync(path, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }

    public static async Task<IReadOnlyList<string>> RowsAsync(string path, string sql, CancellationToken ct)
    {
        await using var connection = await OpenAsync(path, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public static async Task ExecuteAsync(string path, string sql, CancellationToken ct) => await ScalarAsync(path, sql, ct);

    private static async Task<SqliteConnection> OpenAsync(string path, CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
        await connection.OpenAsync(ct);
        return connection;
    }
}
