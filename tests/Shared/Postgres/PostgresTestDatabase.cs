using Npgsql;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Tests.Postgres;

/// <summary>A fresh, empty database on the test server, made for one test and dropped after it.</summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private PostgresTestDatabase(string name)
    {
        Name = name;
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>Its URL, <c>postgres://yardtest@127.0.0.1:PORT/NAME</c> (no password).</summary>
    public string Url => PostgresTestServer.UrlOf(Name);

    /// <summary>The <c>store:</c> settings a Yardmaster would have for it: the URL and the password's variable.</summary>
    public StoreSettings Settings => new() { Url = Url, PasswordEnv = PostgresTestServer.PasswordVariable };

    /// <summary>A connection string with the password (no pooling), to look at the tables behind the stores' backs.</summary>
    public string ConnectionString => PostgresTestServer.ConnectionString(Name);

    /// <summary>Creates the database.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var name = "yt_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(PostgresTestServer.ConnectionString(PostgresTestServer.BaseDatabase));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new PostgresTestDatabase(name);
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/>.</summary>
    public Task ExecuteAsync(string sql, CancellationToken cancellationToken) => ScalarAsync(sql, cancellationToken);

    /// <summary>Drops the database, closing whatever connections the stores left.</summary>
    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresTestServer.ConnectionString(PostgresTestServer.BaseDatabase));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE);", connection);
        await command.ExecuteNonQueryAsync();
    }
}
