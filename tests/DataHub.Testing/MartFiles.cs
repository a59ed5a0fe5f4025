using System.Text.Json;

namespace DataHub.Testing;

/// <summary>Reads Parquet mart files through DuckDB (an independent reader): rows by column name, and key-value metadata.</summary>
public static class MartFiles
{
    /// <summary>Every row of the files matching <paramref name="glob"/>, as column name → DuckDB JSON value, in file and row order.</summary>
    public static async Task<List<Dictionary<string, JsonElement>>> RowsAsync(string glob, string orderBy = "filename, source_line")
    {
        var result = await DuckDb.QueryAsync($"SELECT * FROM read_parquet({DuckDb.Literal(glob)}, filename = true, hive_partitioning = false) ORDER BY {orderBy}");
        return [.. result.Rows.Select(r => result.Columns.Select((c, i) => (c, r[i])).ToDictionary(p => p.c, p => p.Item2))];
    }

    /// <summary>The key-value metadata of one file.</summary>
    public static async Task<Dictionary<string, string>> MetadataAsync(string file)
    {
        var result = await DuckDb.QueryAsync($"SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata({DuckDb.Literal(file)})");
        return result.Rows.ToDictionary(r => r[0].GetString()!, r => r[1].GetString()!);
    }

    /// <summary>A JSON value as text (strings unquoted, numbers as written, null as null).</summary>
    public static string? Text(this JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}
