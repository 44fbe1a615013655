using Yardmaster.Core.Configuration;

namespace Yardmaster.Core.Tests.Configuration;

public sealed class PostgresUrlTests
{
    [Theory]
    [InlineData("postgres://yard@db.example.com:6543/yardmaster", "yard", "db.example.com", 6543, "yardmaster", null)]
    [InlineData("postgresql://yard@10.0.0.5/yardmaster", "yard", "10.0.0.5", 5432, "yardmaster", null)]
    [InlineData("postgres://yard%40corp@[::1]:5433/my%20db?sslmode=verify-full", "yard@corp", "::1", 5433, "my db", "verify-full")]
    public void TryParse_Valid_Parts(string text, string user, string host, int port, string database, string? sslMode)
    {
        Assert.True(PostgresUrl.TryParse(text, out var url, out var error), error);
        Assert.Equal(new PostgresUrl(user, host, port, database, sslMode), url);
    }

    [Theory]
    [InlineData(null, "is empty; write postgres://USER@HOST:PORT/DATABASE")]
    [InlineData("  ", "is empty; write postgres://USER@HOST:PORT/DATABASE")]
    [InlineData("mysql://yard@db/yard", "must start with postgres:// (got 'mysql://yard@db/yard'); write postgres://USER@HOST:PORT/DATABASE")]
    [InlineData("db.example.com:5432/yard", "must start with postgres:// (got 'db.example.com:5432/yard'); write postgres://USER@HOST:PORT/DATABASE")]
    [InlineData("postgres://db.example.com:5432/yard", "names no user ('postgres://db.example.com:5432/yard'); write postgres://USER@HOST:PORT/DATABASE")]
    [InlineData("postgres://yard@db.example.com:5432", "must name one database after the host, as in postgres://yard@db.example.com:5432/yardmaster (got path '/')")]
    [InlineData("postgres://yard@db.example.com/a/b", "must name one database after the host, as in postgres://yard@db.example.com/yardmaster (got path '/a/b')")]
    [InlineData("postgres://yard@db.example.com:99999/yard", "has port '99999'; a port is a number from 1 to 65535")]
    [InlineData("postgres://yard@db.example.com:pg/yard", "has port 'pg'; a port is a number from 1 to 65535")]
    [InlineData("postgres://yard@[::1]:0/yard", "has port '0'; a port is a number from 1 to 65535")]
    [InlineData("postgres://yard@db example/yard", "is not a URL ('postgres://yard@db example/yard'); write postgres://USER@HOST:PORT/DATABASE")]
    [InlineData("mysql://yard:secret@db/yard", "must start with postgres:// (got 'mysql://…@db/yard'); write postgres://USER@HOST:PORT/DATABASE")]
    [InlineData("postgres://yard@db/yard?sslmode=sometimes", "has sslmode 'sometimes'; use one of disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("postgres://yard@db/yard?password=x", "has the parameter 'password', but only sslmode is supported")]
    [InlineData("postgres://yard@db/yard#top", "must not have a fragment ('#top')")]
    public void TryParse_Invalid_ErrorNamesWhatIsWrong(string? text, string expected)
    {
        Assert.False(PostgresUrl.TryParse(text, out var url, out var error));
        Assert.Null(url);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("postgres://yard:s3cret@db.example.com:5432/yard")]
    [InlineData("postgres://yard:@db/yard")]
    [InlineData("postgresql://yard:s3cret@[::1/yard")]
    public void TryParse_PasswordInTheUrl_RefusedWithoutRepeatingIt(string text)
    {
        Assert.False(PostgresUrl.TryParse(text, out _, out var error));
        Assert.Equal(
            "holds a password, which would end up in logs and process listings; remove it from the URL and put it in the environment variable named by store.password_env, or in ~/.pgpass",
            error);
    }

    [Fact]
    public void ToString_Parsed_WritesItBackWithThePort()
    {
        Assert.True(PostgresUrl.TryParse("postgresql://yard@db/yard%20master?sslmode=require", out var url, out _));
        Assert.Equal("postgres://yard@db:5432/yard%20master?sslmode=require", url!.ToString());
    }
}
