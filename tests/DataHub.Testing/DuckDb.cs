using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace DataHub.Testing;

/// <summary>DuckDB in process (DuckDB.NET) as an independent engine: runs SQL in a fresh in-memory database and returns the last result.</summary>
/// <remarks>Values come back as JSON the way DuckDB's node client renders them: numbers, strings, ISO dates, 64-bit and wider
/// integers and decimals as strings, "NaN"/"Infinity" for non-finite doubles, lists as arrays and structs as objects.</remarks>
public static class DuckDb
{
    /// <summary>Runs the statements and returns the last statement's result.</summary>
    public static Task<DuckDbResult> QueryAsync(string sql, CancellationToken cancellationToken = default) =>
        Task.Run(() => Query(sql), cancellationToken);

    /// <summary>Quotes a file path as a DuckDB string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static DuckDbResult Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            using var reader = command.ExecuteReader();
            DuckDbResult last;
            do
            {
                last = Read(reader);
            }
            while (reader.NextResult());

            return last;
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException($"DuckDB failed: {ex.Message}\nSQL: {sql}");
        }
    }

    private static DuckDbResult Read(DuckDBDataReader reader)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var types = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetDataTypeName(i).ToUpperInvariant()).ToArray();
        var rows = new List<JsonElement[]>();
        while (reader.Read())
        {
            var row = new JsonArray();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row.Add(reader.IsDBNull(i) ? null : Json(reader.GetValue(i)));
            }

            using var doc = JsonDocument.Parse(row.ToJsonString());
            rows.Add([.. doc.RootElement.EnumerateArray().Select(v => v.Clone())]);
        }

        return new DuckDbResult(columns, types, rows);
    }

    private static JsonNode? Json(object? value) => value switch
    {
        null or DBNull => null,
        bool b => JsonValue.Create(b),
        sbyte or byte or short or ushort or int or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        long or ulong or BigInteger or decimal => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        float f => Number(f),
        double d => Number(d),
        DateOnly date => JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        DateTime time => JsonValue.Create(Timestamp(time)),
        DateTimeOffset time => JsonValue.Create(Timestamp(time.UtcDateTime) + "+00"),
        TimeOnly time => JsonValue.Create(time.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.')),
        string s => JsonValue.Create(s),
        Guid g => JsonValue.Create(g.ToString()),
        System.Collections.IDictionary map => new JsonObject(map.Keys.Cast<object>().Select(k => KeyValuePair.Create(Convert.ToString(k, CultureInfo.InvariantCulture)!, Json(map[k])))),
        System.Collections.IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(Json)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static JsonNode Number(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");

    private static string Timestamp(DateTime time) =>
        time.ToString(time.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}

/// <summary>The columns, DuckDB type names and rows of one result.</summary>
public sealed record DuckDbResult(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, IReadOnlyList<JsonElement[]> Rows)
{
    /// <summary>The position of a column by name.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"No column '{column}' in [{string.Join(", ", Columns)}].");
    }
}

/// <summary>DuckDB rejected a statement.</summary>
public sealed class DuckDbException(string message) : Exception(message);
