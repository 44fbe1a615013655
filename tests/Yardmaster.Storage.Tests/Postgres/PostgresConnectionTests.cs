using System.Net;
using System.Net.Sockets;
using Yardmaster.Core.Configuration;
using Yardmaster.Storage.Postgres;
using Yardmaster.Tests.Postgres;

namespace Yardmaster.Storage.Tests.Postgres;

/// <summary>What a user sees when <c>store:</c> points at PostgreSQL wrongly: each error names what is wrong, never a password.</summary>
public sealed class PostgresConnectionTests : IAsyncLifetime
{
    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("not initialized");

    public async ValueTask InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task OpenAsync_PasswordInTheUrl_RefusedWithoutRepeatingIt()
    {
        var url = Database.Url.Replace("yardtest@", "yardtest:" + PostgresTestServer.Password + "@", StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(new StoreSettings { Url = url }));
        Assert.StartsWith("store.url holds a password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresTestServer.Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_PasswordEnvNotSet_NamesTheVariable()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(Database.Settings with { PasswordEnv = "YARD_TEST_NO_SUCH_VARIABLE" }));
        Assert.Equal(
            "store.password_env names the environment variable YARD_TEST_NO_SUCH_VARIABLE, which is not set (or empty); set it to the password of yardtest, or remove password_env to use ~/.pgpass",
            error.Message);
    }

    [Fact]
    public async Task OpenAsync_WrongPassword_NamesTheUrlAndTheRefusal()
    {
        Environment.SetEnvironmentVariable("YARD_TEST_WRONG_PASSWORD", "not-the-password");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(Database.Settings with { PasswordEnv = "YARD_TEST_WRONG_PASSWORD" }));
        Assert.StartsWith($"cannot open the store {Database.Url}: 28P01: password authentication failed for user \"yardtest\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NothingListening_NamesTheUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = $"postgres://yardtest@127.0.0.1:{port}/yardtest";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(new StoreSettings { Url = url, PasswordEnv = PostgresTestServer.PasswordVariable }));

        Assert.StartsWith($"cannot open the store {url}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_UnknownDatabase_NamesIt()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(Database.Settings with { Url = PostgresTestServer.UrlOf("no_such_db") }));
        Assert.StartsWith($"cannot open the store {PostgresTestServer.UrlOf("no_such_db")}: 3D000: database \"no_such_db\" does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NoPasswordEnv_PasswordFromThePgpassFile()
    {
        using var directory = new TempDirectory();
        var pgpass = directory.File("pgpass");
        await File.WriteAllTextAsync(pgpass, $"# host:port:database:user:password\n127.0.0.1:*:{Database.Name}:yardtest:{PostgresTestServer.Password.Replace(":", "\\:", StringComparison.Ordinal)}\n", Ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(pgpass, UnixFileMode.UserRead | UnixFileMode.UserWrite); // libpq ignores a file others can read
        }

        Environment.SetEnvironmentVariable("PGPASSFILE", pgpass);
        try
        {
            await using var store = await PostgresRegistryStore.OpenAsync(new StoreSettings { Url = Database.Url }, TimeProvider.System, null, Ct);
            Assert.Empty(await store.ListTasksAsync(Ct));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSFILE", null);
        }
    }

    [Fact]
    public async Task Describe_Lease_IdleTransactionsEndAfterIt()
    {
        var (builder, url) = PostgresSource.Describe(Database.Settings with { Lease = TimeSpan.FromSeconds(12) });
        await using var source = Npgsql.NpgsqlDataSource.Create(builder);
        await using var command = source.CreateCommand("SHOW idle_in_transaction_session_timeout;");

        Assert.Equal("12s", await command.ExecuteScalarAsync(Ct));
        Assert.Equal(Database.Url, url.ToString());
    }

    private static async Task OpenAsync(StoreSettings settings) =>
        await (await PostgresRegistryStore.OpenAsync(settings, TimeProvider.System, null, Ct)).DisposeAsync();
}
