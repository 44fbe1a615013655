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
}
