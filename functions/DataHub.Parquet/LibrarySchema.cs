using Parquet.Schema;
using LibraryFields = Parquet.Schema.ParquetSchema;

namespace DataHub.Parquet;

/// <summary>Maps our flat schema to Parquet.Net's fields and back: the only place that names the library's types.</summary>
internal static class LibrarySchema
{
    /// <summary>The library's schema for ours, field by field in the same order.</summary>
    public static LibraryFields For(ParquetSchema schema) =>
        new(schema.Columns.Select(FieldFor).ToArray());

    /// <summary>Our flat schema for a file's fields; nested or unsupported fields are a format error naming the file.</summary>
    public static ParquetSchema From(LibraryFields schema, string file)
    {
        var columns = new List<ParquetColumn>();
        foreach (var field in schema.Fields)
        {
            if (field is not DataField data || data.MaxRepetitionLevel > 0 || data.Path.Length != 1)
            {
                throw new ParquetFormatException(file, $"column '{field.Name}' is nested or repeated; only flat schemas are supported");
            }

            columns.Add(new ParquetColumn(data.Name, TypeOf(data, file), data.IsNullable));
        }

        return columns.Count > 0 ? new ParquetSchema(columns) : throw new ParquetFormatException(file, "schema has no columns");
    }

    private static DataField FieldFor(ParquetColumn column) => column.Type switch
    {
        ParquetType.Boolean => new DataField<bool>(column.Name, column.Nullable),
        ParquetType.Int32 => new DataField<int>(column.Name, column.Nullable),
        ParquetType.Int64 => new DataField<long>(column.Name, column.Nullable),
        ParquetType.Double => new DataField<double>(column.Name, column.Nullable),
        ParquetType.String => new DataField<string>(column.Name, column.Nullable),
        ParquetType.Date => new DataField<DateOnly>(column.Name, column.Nullable),

        // Parquet.Net 6.1.0 encodes an INT64 timestamp's min/max statistics as milliseconds whatever the unit, so engines
        // that prune row groups by statistics (DuckDB does) would skip matching rows: refuse rather than publish that.
        ParquetType.TimestampMicros => throw new NotSupportedException(
            $"Column '{column.Name}': TIMESTAMP columns are not written (Parquet.Net 6.1.0 writes their statistics in the wrong unit); store a DATE or an INT64 instead."),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column type."),
    };

    private static ParquetType TypeOf(DataField field, string file) => field.ClrType switch
    {
        var t when t == typeof(bool) => ParquetType.Boolean,
        var t when t == typeof(int) => ParquetType.Int32,
        var t when t == typeof(long) => ParquetType.Int64,
        var t when t == typeof(double) => ParquetType.Double,
        var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => ParquetType.String,
        var t when t == typeof(DateOnly) => ParquetType.Date,
        var t when t == typeof(DateTime) && field is DateTimeDataField => ParquetType.TimestampMicros,
        var t => throw new ParquetFormatException(file, $"column '{field.Name}' has type {t.Name}, which the adapter does not read"),
    };
}
