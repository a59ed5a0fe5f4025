namespace DataHub.Parquet;

/// <summary>The column types the adapter reads and writes: the flat types marts and KPI tables use.</summary>
public enum ParquetType
{
    /// <summary>BOOLEAN.</summary>
    Boolean,

    /// <summary>INT32.</summary>
    Int32,

    /// <summary>INT64.</summary>
    Int64,

    /// <summary>DOUBLE.</summary>
    Double,

    /// <summary>BYTE_ARRAY annotated STRING (UTF-8).</summary>
    String,

    /// <summary>INT32 annotated DATE (days since 1970-01-01).</summary>
    Date,

    /// <summary>INT64 annotated TIMESTAMP(MICROS, adjusted to UTC): read only (see README: Parquet.Net 6.1.0 writes its statistics wrongly).</summary>
    TimestampMicros,
}

/// <summary>One column of a flat schema.</summary>
public sealed record ParquetColumn(string Name, ParquetType Type, bool Nullable = true);

/// <summary>The ordered columns of a flat Parquet file.</summary>
public sealed record ParquetSchema(IReadOnlyList<ParquetColumn> Columns)
{
    /// <summary>The position of the named column, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>The page compression codecs the writer offers.</summary>
public enum ParquetCompression
{
    /// <summary>Snappy: fast, the Parquet default.</summary>
    Snappy,

    /// <summary>GZIP (deflate): smaller, slower.</summary>
    Gzip,

    /// <summary>No compression.</summary>
    Uncompressed,
}

/// <summary>How a writer compresses and cuts a file.</summary>
public sealed record ParquetWriterOptions
{
    /// <summary>The page codec.</summary>
    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;

    /// <summary>Dictionary-encode string columns whose values repeat (the library keeps PLAIN where most values are distinct).</summary>
    public bool UseDictionary { get; init; } = true;

    /// <summary>
    /// String columns of hash values (pseudonym tokens): every value distinct and its characters random, so they are written
    /// PLAIN without sampling them for a dictionary they would never take, and uncompressed, since a codec finds nothing to
    /// shorten but their length prefixes.
    /// </summary>
    public IReadOnlySet<string>? HashColumns { get; init; }

    /// <summary>A row group ends after this many rows (DuckDB's default size: big enough to compress well, small enough to buffer).</summary>
    public int RowGroupRows { get; init; } = 122_880;

    /// <summary>A row group also ends once its buffered values take this many bytes of memory.</summary>
    public long RowGroupBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>File-level key-value metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A Parquet file is malformed, truncated or uses a feature the adapter does not read; the message names the file.</summary>
public sealed class ParquetFormatException : Exception
{
    /// <summary>Creates the exception for a file and a description of what is wrong.</summary>
    public ParquetFormatException(string fileName, string problem, Exception? inner = null)
        : base($"{fileName}: not a readable Parquet file: {problem}", inner)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The file, as named by the caller.</summary>
    public string FileName { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}

/// <summary>Minimum, maximum and null count of one column chunk; min/max are null when absent or all values are null/NaN.</summary>
public sealed record ColumnStatistics(object? Min, object? Max, long? NullCount);

/// <summary>One row group: its row count, byte size and the statistics of each column (by schema position).</summary>
public sealed record RowGroupInfo(long RowCount, long TotalByteSize, IReadOnlyList<ColumnStatistics?> Columns);
