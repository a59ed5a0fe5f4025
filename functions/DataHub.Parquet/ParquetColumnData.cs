namespace DataHub.Parquet;

/// <summary>The values of one column in one row group: a typed array (by <see cref="ParquetColumn.Type"/>), one slot per row, plus nulls.</summary>
/// <remarks>A null row holds the type's default in its array.</remarks>
public sealed class ParquetColumnData
{
    private readonly bool[]? _nulls;

    private ParquetColumnData(ParquetColumn column, int count, bool[]? nulls)
    {
        Column = column;
        Count = count;
        _nulls = nulls;
        NullCount = nulls is null ? 0 : nulls.Count(n => n);
    }

    /// <summary>The column read.</summary>
    public ParquetColumn Column { get; }

    /// <summary>Rows in the row group.</summary>
    public int Count { get; }

    /// <summary>How many rows are null.</summary>
    public int NullCount { get; }

    /// <summary>Boolean columns' values.</summary>
    public IReadOnlyList<bool>? BooleanValues { get; private init; }

    /// <summary>Int32 values.</summary>
    public IReadOnlyList<int>? Int32Values { get; private init; }

    /// <summary>Int64 values.</summary>
    public IReadOnlyList<long>? Int64Values { get; private init; }

    /// <summary>Double values.</summary>
    public IReadOnlyList<double>? DoubleValues { get; private init; }

    /// <summary>String values (null where the row is null).</summary>
    public IReadOnlyList<string?>? StringValues { get; private init; }

    /// <summary>Date values.</summary>
    public IReadOnlyList<DateOnly>? DateValues { get; private init; }

    /// <summary>Timestamp values, in UTC.</summary>
    public IReadOnlyList<DateTimeOffset>? TimestampValues { get; private init; }

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
            ParquetType.Date => DateValues![row],
            ParquetType.Int64 => Int64Values![row],
            ParquetType.TimestampMicros => TimestampValues![row],
            ParquetType.Double => DoubleValues![row],
            _ => StringValues![row],
        };
    }

    /// <summary>Wraps the array the library read for a column of the given type.</summary>
    internal static ParquetColumnData Create<T>(ParquetColumn column, int count, bool[]? nulls, T[] values) => values switch
    {
        bool[] v => new(column, count, nulls) { BooleanValues = v },
        int[] v => new(column, count, nulls) { Int32Values = v },
        long[] v => new(column, count, nulls) { Int64Values = v },
        double[] v => new(column, count, nulls) { DoubleValues = v },
        string?[] v => new(column, count, nulls) { StringValues = v },
        DateOnly[] v => new(column, count, nulls) { DateValues = v },
        DateTime[] v => new(column, count, nulls) { TimestampValues = [.. v.Select(t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)))] },
        _ => throw new ArgumentException($"No column data of {typeof(T).Name}.", nameof(values)),
    };
}
