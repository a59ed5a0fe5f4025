namespace DataHub.Parquet;

/// <summary>The values of one column in one row group: a typed array (by <see cref="ParquetColumn.Type"/>) plus nulls.</summary>
/// <remarks>Int32 and Date share <see cref="Int32Values"/> (dates as days since 1970-01-01); Int64 and TimestampMicros share
/// <see cref="Int64Values"/> (timestamps as UTC microseconds since 1970). A null row holds the type's default in the array.</remarks>
public sealed class ParquetColumnData
{
    private readonly bool[]? _nulls;

    internal ParquetColumnData(ParquetColumn column, int count, bool[]? nulls, bool[]? booleans, int[]? ints, long[]? longs, double[]? doubles, string?[]? strings)
    {
        Column = column;
        Count = count;
        _nulls = nulls;
        BooleanValues = booleans;
        Int32Values = ints;
        Int64Values = longs;
        DoubleValues = doubles;
        StringValues = strings;
        NullCount = nulls is null ? 0 : nulls.Count(n => n);
    }

    /// <summary>The column read.</summary>
    public ParquetColumn Column { get; }

    /// <summary>Rows in the row group.</summary>
    public int Count { get; }

    /// <summary>How many rows are null.</summary>
    public int NullCount { get; }

    /// <summary>Boolean columns' values.</summary>
    public IReadOnlyList<bool>? BooleanValues { get; }

    /// <summary>Int32 values, or Date values as days since 1970-01-01.</summary>
    public IReadOnlyList<int>? Int32Values { get; }

    /// <summary>Int64 values, or TimestampMicros values as UTC microseconds since 1970.</summary>
    public IReadOnlyList<long>? Int64Values { get; }

    /// <summary>Double values.</summary>
    public IReadOnlyList<double>? DoubleValues { get; }

    /// <summary>String values (null where the row is null).</summary>
    public IReadOnlyList<string?>? StringValues { get; }

    /// <summary>Whether the row's value is null.</summary>
    public bool IsNull(int row) => _nulls is not null && _nulls[row];

    /// <summary>The row's value as a CLR object: bool, int, long, double, string, DateOnly or DateTimeOffset (UTC), or null.</summary>
    public object? GetValue(int row)
    {
        if (IsNull(row))
        {
            return null;
        }

        return Column.Type switch
        {
            ParquetType.Boolean => BooleanValues![row],
            ParquetType.Int32 => Int32Values![row],
            ParquetType.Date => Timestamps.TryFromDays(Int32Values![row], out var date) ? date : throw OutOfRange(row),
            ParquetType.Int64 => Int64Values![row],
            ParquetType.TimestampMicros => Timestamps.TryFromMicros(Int64Values![row], out var time) ? time : throw OutOfRange(row),
            ParquetType.Double => DoubleValues![row],
            _ => StringValues![row],
        };
    }

    private InvalidOperationException OutOfRange(int row) =>
        new($"Column '{Column.Name}' row {row}: the stored value is outside the range of .NET dates; read the raw integer instead.");
}
