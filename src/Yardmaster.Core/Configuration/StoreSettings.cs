namespace Yardmaster.Core.Configuration;

/// <summary><c>store:</c> where tasks, models, runs and history are kept: a SQLite file (default) or a PostgreSQL database.</summary>
public sealed record StoreSettings
{
    /// <summary>Path of the SQLite file; relative to the config file's folder. Null for <c>$YARD_HOME/yard.db</c> (or <c>--data</c>).</summary>
    public string? Path { get; init; }

    /// <summary>
    /// <c>url</c>: a PostgreSQL database, <c>postgres://user@host:port/db</c> (no password in it); null for the SQLite file.
    /// With it, several <c>yard serve</c> instances share the store and elect one leader to run the job scheduler.
    /// </summary>
    public string? Url { get; init; }

    /// <summary><c>password_env</c>: the environment variable holding the database password; null to use <c>~/.pgpass</c> (libpq's rules).</summary>
    public string? PasswordEnv { get; init; }

    /// <summary><c>lease</c>: how long the leader's lease lasts unrenewed before another instance may take it. Default 6 s: a dead leader is replaced within 8 s (4/3 of it at worst).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>True when the store is PostgreSQL.</summary>
    public bool IsPostgres => Url is not null;
}
