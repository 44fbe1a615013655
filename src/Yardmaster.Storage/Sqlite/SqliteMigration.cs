namespace Yardmaster.Storage.Sqlite;

/// <summary>One schema step: applied once, in version order, and recorded in <c>schema_migrations</c>.</summary>
/// <param name="Version">Its number; versions start at 1 and have no gaps.</param>
/// <param name="Description">What it changes, for people reading the table.</param>
/// <param name="Sql">The statements; run inside the transaction that records the version.</param>
internal sealed record SqliteMigration(int Version, string Description, string Sql);
