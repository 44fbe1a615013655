using System.Data.Common;
using Yardmaster.Core.Registry;

namespace Yardmaster.Storage;

/// <summary>
/// The <c>model_quality</c> table read and queried the same way in either database; each adapter gives its parameter
/// prefix, its row-order column (SQLite's <c>rowid</c>, PostgreSQL's <c>seq</c>) and how it reads a time.
/// </summary>
internal static class QualityRows
{
    public const string Columns = "model, metric, score, count, low, high, dataset, measured_at, source";

    /// <summary>The insert, with parameters named after the columns.</summary>
    public static string Insert(char prefix) =>
        $"INSERT INTO model_quality ({Columns}) VALUES ({string.Join(", ", Columns.Split(", ").Select(c => prefix + c))});";

    /// <summary>Every measurement of one model, newest first (parameters <c>model</c> and <c>limit</c>); or the latest per model and metric (<c>limit</c> only).</summary>
    public static string Select(char prefix, string order, bool oneModel) => oneModel
        ? $"SELECT {Columns} FROM model_quality WHERE model = {prefix}model ORDER BY {order} DESC LIMIT {prefix}limit;"
        : $"SELECT {Columns} FROM model_quality WHERE {order} IN (SELECT MAX({order}) FROM model_quality GROUP BY model, metric) ORDER BY {order} DESC LIMIT {prefix}limit;";

    /// <summary>The values of <see cref="Insert"/>'s parameters, in column order (the time as the adapter writes it).</summary>
    public static object[] Values(ModelQuality q, object measuredAt) =>
        [q.Model, q.Metric, q.Score, q.Count, q.Low, q.High, q.Dataset, measuredAt, q.Source];

    public static ModelQuality Read(DbDataReader reader, Func<DbDataReader, int, DateTimeOffset?> time) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetDouble(2),
        reader.GetInt32(3),
        reader.GetDouble(4),
        reader.GetDouble(5),
        reader.GetString(6),
        time(reader, 7)!.Value,
        reader.GetString(8));

    /// <summary>Checks a measurement before it is written.</summary>
    /// <exception cref="ArgumentException">It breaks a rule of <see cref="ModelQualities.Check"/>.</exception>
    public static void Validate(ModelQuality quality)
    {
        if (ModelQualities.Check(quality) is { } error)
        {
            throw new ArgumentException($"quality.{error.Field} {error.Message}", nameof(quality));
        }
    }
}
