using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using Yardmaster.Core.Configuration;
using Yardmaster.Core.Runs;

namespace Yardmaster.Storage.Postgres;

/// <summary>
/// How every PostgreSQL store connects: <c>store.url</c> read and checked, the password from the variable named by
/// <c>store.password_env</c> (else Npgsql's own <c>.pgpass</c> support: <c>PGPASSFILE</c> or <c>~/.pgpass</c>, libpq's
/// format), a pooled <see cref="NpgsqlDataSource"/>, and the migrations the database lacks.
/// </summary>
internal static class PostgresSource
{
    /// <summary>The builder of the connection string <paramref name="settings"/> describe.</summary>
    /// <exception cref="InvalidOperationException">The URL is not valid, or <c>password_env</c> names a variable that is not set; the message says which.</exception>
    public static (NpgsqlConnectionStringBuilder Builder, PostgresUrl Url) Describe(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!PostgresUrl.TryParse(settings.Url, out var url, out var error))
        {
            throw new InvalidOperationException("store.url " + error);
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url!.Host,
            Port = url.Port,
            Database = url.Database,
            Username = url.User,
            ApplicationName = "yardmaster",
            Timeout = 15,
            // The stores run the same few statements again and again: prepared once per connection, they skip the parse.
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            // A client paused inside a transaction (a stopped process) would hold its locks, the lease row's among them, forever.
            Options = string.Create(CultureInfo.InvariantCulture, $"-c idle_in_transaction_session_timeout={(long)Math.Max(settings.Lease.TotalMilliseconds, 5000)}"),
        };
        if (url.SslMode is { } ssl)
        {
            builder.SslMode = ssl switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "prefer" => SslMode.Prefer,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                _ => SslMode.VerifyFull,
            };
        }

        if (settings.PasswordEnv is { } variable)
        {
            var password = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(password))
            {
                throw new InvalidOperationException($"store.password_env names the environment variable {variable}, which is not set (or empty); set it to the password of {url.User}, or remove password_env to use ~/.pgpass");
            }

            builder.Password = password;
        }

        return (builder, url);
    }

    /// <summary>Creates the pooled source for <paramref name="settings"/> and applies the migrations the database lacks.</summary>
    /// <exception cref="InvalidOperationException">Bad settings, a database that cannot be reached or refuses the login, or a newer schema; the message names the URL (never a password).</exception>
    public static async Task<(NpgsqlDataSource Source, string Url)> OpenAsync(StoreSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var (builder, url) = Describe(settings);
        var source = NpgsqlDataSource.Create(builder);
        try
        {
            await PostgresMigrations.ApplyAsync(source, url.ToString(), time, cancellationToken);
            return (source, url.ToString());
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            await source.DisposeAsync();
            throw new InvalidOperationException($"cannot open the store {url}: {e.Message}", e);
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// True for a failure of the database or the way to it rather than of the statement: a lost connection (08), a login
    /// refused (28), a database gone (3D), a rolled-back transaction (40), a full disk or too many connections (53), a
    /// server shutting down (57), a system or internal error (58, XX), a network or I/O failure. The scheduler keeps such a
    /// batch and writes it again; a bad row (22, 23) or statement (42) is a bug and stays as it is.
    /// </summary>
    public static bool IsWriteFailure(Exception e) => e switch
    {
        PostgresException p => p.SqlState[..2] is "08" or "28" or "3D" or "40" or "53" or "57" or "58" or "XX",
        NpgsqlException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>The failure as the scheduler's <see cref="StoreWriteException"/>.</summary>
    public static StoreWriteException WriteFailed(Exception e, string url) =>
        StoreWriteException.For(e, url, diskFull: e is PostgresException { SqlState: "53100" });
}
