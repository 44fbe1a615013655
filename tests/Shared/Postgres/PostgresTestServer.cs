// Linked into the test projects that need PostgreSQL (they reference Npgsql through Yardmaster.Storage).
using Npgsql;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Tests.Postgres;

/// <summary>
/// The PostgreSQL server scripts/postgres-test-env.sh started (./test runs it first), found through the env file it writes
/// (/tmp/yardmaster-pg/env, or $YARD_PG_ROOT/env). Absent, every test that needs it fails with a message saying how to start it.
/// </summary>
public static class PostgresTestServer
{
    /// <summary>The environment variable the stores read the password from (set in this process from the env file).</summary>
    public const string PasswordVariable = "YARD_TEST_PG_PASSWORD";

    private static readonly Lazy<(string Url, string Password)> _server = new(Read);

    /// <summary>The env file's path.</summary>
    public static string EnvFile => Path.Combine(Environment.GetEnvironmentVariable("YARD_PG_ROOT") is { Length: > 0 } root ? root : "/tmp/yardmaster-pg", "env");

    /// <summary>The base database's URL, <c>postgres://yardtest@127.0.0.1:PORT/yardtest</c>.</summary>
    public static string Url => _server.Value.Url;

    /// <summary>The password of the test role.</summary>
    public static string Password => _server.Value.Password;

    /// <summary>The database the script made, where the tests connect to make their own.</summary>
    public static string BaseDatabase => Url[(Url.LastIndexOf('/') + 1)..];

    /// <summary>The URL of database <paramref name="database"/> on the test server.</summary>
    public static string UrlOf(string database)
    {
        var url = Url;
        return url[..(url.LastIndexOf('/') + 1)] + database;
    }

    /// <summary>A connection string with the password, for the tests' own look behind the stores' backs.</summary>
    public static string ConnectionString(string database)
    {
        if (!PostgresUrl.TryParse(Url, out var url, out var error))
        {
            throw new InvalidOperationException($"{EnvFile}: YARD_TEST_PG_URL {error}");
        }

        return new NpgsqlConnectionStringBuilder
        {
            Host = url!.Host,
            Port = url.Port,
            Username = url.User,
            Password = Password,
            Database = database,
            Pooling = false,
        }.ToString();
    }

    private static (string Url, string Password) Read()
    {
        var file = EnvFile;
        if (!File.Exists(file))
        {
            throw new InvalidOperationException(
                $"no PostgreSQL for the tests: {file} is missing. Run scripts/postgres-test-env.sh (./test does) to start a PostgreSQL 15 in /tmp/yardmaster-pg.");
        }

        var values = File.ReadAllLines(file)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        if (!values.TryGetValue("YARD_TEST_PG_URL", out var url) || !values.TryGetValue("YARD_TEST_PG_PASSWORD", out var password))
        {
            throw new InvalidOperationException($"{file} lacks YARD_TEST_PG_URL or YARD_TEST_PG_PASSWORD; run scripts/postgres-test-env.sh again.");
        }

        Environment.SetEnvironmentVariable(PasswordVariable, password);
        return (url, password);
    }
}
