using System.Buffers;
using System.Buffers.Binary;
using DataHub.Parquet.Format;
using DataHub.Parquet.Thrift;
using DataHub.Parquet.Writing;

namespace DataHub.Parquet;

/// <summary>Writes a flat Parquet file to a stream, one row at a time; memory is bounded by one row group.</summary>
/// <remarks>Set each column of a row (unset nullable columns are null), call <see cref="EndRow"/>, and <see cref="Finish"/> at the end.
/// The output stream need not be seekable and is left open. Disposing without <see cref="Finish"/> leaves an incomplete file.</remarks>
public sealed class ParquetWriter : IDisposable
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _output;
    private readonly ParquetWriterOptions _options;
    private readonly ColumnWriter[] _columns;
    private readonly bool[] _set;
    private readonly PageSink _sink;
    private readonly ByteBuffer _body = new(256 * 1024);
    private readonly FileMetaData _footer = new();
    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(256);
    private int _rowsInGroup;
    private long _bytesInGroup;
    private bool _finished;
    private bool _faulted;
    private bool _disposed;

    /// <summary>Starts a file: writes the leading magic bytes.</summary>
    public ParquetWriter(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        _output = output;
        _options = options ?? new ParquetWriterOptions();
        if (_options.RowGroupRows < 1 || _options.RowGroupBytes < 1 || _options.PageBytes < 1 || _options.DictionaryBytesLimit < 0)
        {
            throw new ArgumentException("Row group and page limits must be positive.", nameof(options));
        }

        if (_options.DataPageVersion is not (1 or 2))
        {
            throw new ArgumentException("DataPageVersion must be 1 or 2.", nameof(options));
        }

        if (schema.Columns.Count == 0)
        {
            throw new ArgumentException("A Parquet schema needs at least one column.", nameof(schema));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in schema.Columns)
        {
            if (string.IsNullOrEmpty(column.Name) || !names.Add(column.Name))
            {
                throw new ArgumentException($"Column names must be non-empty and unique; '{column.Name}' is not.", nameof(schema));
            }
        }

        Schema = schema;
        _columns = schema.Columns.Select(CreateColumn).ToArray();
        _set = new bool[_columns.Length];
        _sink = new PageSink(output, _options.Compression, _options.PageChecksums);
        _footer.Schema.Add(new SchemaElement { Name = "schema", NumChildren = _columns.Length });
        foreach (var column in schema.Columns)
        {
            _footer.Schema.Add(SchemaFor(column));
        }

        _sink.WriteRaw("PAR1"u8);
    }

    /// <summary>The schema being written.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>Rows ended so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Sets a BOOLEAN column of the current row.</summary>
    public void Set(int column, bool? value)
    {
        var writer = Column<BooleanColumnWriter>(column, ParquetType.Boolean, value.HasValue);
        if (value is { } v)
        {
            writer.Append(v);
            _bytesInGroup += 1;
        }
    }

    /// <summary>Sets an INT32 column of the current row.</summary>
    public void Set(int column, int? value)
    {
        var writer = Column<Int32ColumnWriter>(column, ParquetType.Int32, value.HasValue);
        if (value is { } v)
        {
            writer.Append(v);
            _bytesInGroup += 4;
        }
    }

    /// <summary>Sets an INT64 column of the current row.</summary>
    public void Set(int column, long? value)
    {
        var writer = Column<Int64ColumnWriter>(column, ParquetType.Int64, value.HasValue);
        if (value is { } v)
        {
            writer.Append(v);
            _bytesInGroup += 8;
        }
    }

    /// <summary>Sets a DOUBLE column of the current row (NaN and -0.0 are kept as given).</summary>
    public void Set(int column, double? value)
    {
        var writer = Column<DoubleColumnWriter>(column, ParquetType.Double, value.HasValue);
        if (value is { } v)
        {
            writer.Append(v);
            _bytesInGroup += 8;
        }
    }

    /// <summary>Sets a string column of the current row; a string with unpaired surrogates is rejected.</summary>
    public void Set(int column, string? value)
    {
        var writer = Column<StringColumnWriter>(column, ParquetType.String, value is not null);
        if (value is null)
        {
            return;
        }

        var max = StrictUtf8.GetMaxByteCount(value.Length);
        if (_scratch.Length < max)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(max);
        }

        int length;
        try
        {
            length = StrictUtf8.GetBytes(value, _scratch);
        }
        catch (System.Text.EncoderFallbackException ex)
        {
            _set[column] = false;
            throw new ArgumentException($"Column '{Schema.Columns[column].Name}': the string is not valid Unicode (unpaired surrogate).", nameof(value), ex);
        }

        writer.Append(_scratch.AsSpan(0, length));
        _bytesInGroup += length + 4;
    }

    /// <summary>Sets a string column of the current row from UTF-8 bytes (validated), avoiding a string allocation.</summary>
    public void Set(int column, ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new ArgumentException($"Column '{Schema.Columns[column].Name}': the bytes are not valid UTF-8.", nameof(utf8));
        }

        var writer = Column<StringColumnWriter>(column, ParquetType.String, true);
        writer.Append(utf8);
        _bytesInGroup += utf8.Length + 4;
    }

    /// <summary>Sets a DATE column of the current row.</summary>
    public void Set(int column, DateOnly? value)
    {
        var writer = Column<Int32ColumnWriter>(column, ParquetType.Date, value.HasValue);
        if (value is { } v)
        {
            writer.Append(Timestamps.ToDays(v));
            _bytesInGroup += 4;
        }
    }

    /// <summary>Sets a TIMESTAMP column of the current row; stored as UTC microseconds (sub-microsecond ticks are floored).</summary>
    public void Set(int column, DateTimeOffset? value)
    {
        var writer = Column<Int64ColumnWriter>(column, ParquetType.TimestampMicros, value.HasValue);
        if (value is { } v)
        {
            writer.Append(Timestamps.ToMicros(v));
            _bytesInGroup += 8;
        }
    }

    /// <summary>Completes the current row: unset nullable columns become null; an unset required column is an error.</summary>
    public void EndRow()
    {
        EnsureWritable();
        for (var i = 0; i < _columns.Length; i++)
        {
            if (!_set[i] && !_columns[i].Column.Nullable)
            {
                // Other columns of this row are already buffered, so the file cannot be completed consistently.
                _faulted = true;
                throw new InvalidOperationException($"Required column '{_columns[i].Column.Name}' was not set for row {RowCount + 1}; the writer cannot continue.");
            }
        }

        for (var i = 0; i < _columns.Length; i++)
        {
            if (!_set[i])
            {
                _columns[i].AppendNull();
            }

            _set[i] = false;
        }

        RowCount++;
        _rowsInGroup++;
        if (_rowsInGroup >= _options.RowGroupRows || _bytesInGroup >= _options.RowGroupBytes)
        {
            FlushRowGroup();
        }
    }

    /// <summary>Writes the last row group and the footer, then flushes the output.</summary>
    public void Finish()
    {
        EnsureWritable();
        if (Array.Exists(_set, s => s))
        {
            throw new InvalidOperationException("The last row was not ended; call EndRow before Finish.");
        }

        FlushRowGroup();
        _footer.NumRows = RowCount;
        _footer.CreatedBy = _options.CreatedBy;
        if (_options.Metadata is { } metadata)
        {
            foreach (var pair in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                _footer.KeyValues.Add(new(pair.Key, pair.Value));
            }
        }

        _body.Clear();
        _footer.Write(new CompactWriter(_body));
        _sink.WriteRaw(_body.Span);
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tail, _body.Length);
        "PAR1"u8.CopyTo(tail[4..]);
        _sink.WriteRaw(tail);
        _output.Flush();
        _finished = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var column in _columns)
        {
            column.Dispose();
        }

        _sink.Dispose();
        _body.Dispose();
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = [];
    }

    private ColumnWriter CreateColumn(ParquetColumn column) => column.Type switch
    {
        ParquetType.Boolean => new BooleanColumnWriter(column, _options),
        ParquetType.Int32 or ParquetType.Date => new Int32ColumnWriter(column, _options),
        ParquetType.Int64 or ParquetType.TimestampMicros => new Int64ColumnWriter(column, _options),
        ParquetType.Double => new DoubleColumnWriter(column, _options),
        ParquetType.String => new StringColumnWriter(column, _options),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column type."),
    };

    private static SchemaElement SchemaFor(ParquetColumn column)
    {
        var element = new SchemaElement { Name = column.Name, Repetition = column.Nullable ? 1 : 0 };
        switch (column.Type)
        {
            case ParquetType.Boolean:
                element.Type = PhysicalType.Boolean;
                break;
            case ParquetType.Int32:
                element.Type = PhysicalType.Int32;
                break;
            case ParquetType.Int64:
                element.Type = PhysicalType.Int64;
                break;
            case ParquetType.Double:
                element.Type = PhysicalType.Double;
                break;
            case ParquetType.String:
                element.Type = PhysicalType.ByteArray;
                element.ConvertedType = ConvertedType.Utf8;
                element.Logical = LogicalKind.String;
                break;
            case ParquetType.Date:
                element.Type = PhysicalType.Int32;
                element.ConvertedType = ConvertedType.Date;
                element.Logical = LogicalKind.Date;
                break;
            case ParquetType.TimestampMicros:
                element.Type = PhysicalType.Int64;
                element.ConvertedType = ConvertedType.TimestampMicros;
                element.Logical = LogicalKind.TimestampMicros;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column type.");
        }

        return element;
    }

    private T Column<T>(int column, ParquetType type, bool hasValue)
        where T : ColumnWriter
    {
        EnsureWritable();
        if ((uint)column >= (uint)_columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"The schema has {_columns.Length} columns.");
        }

        var writer = _columns[column];
        if (writer.Column.Type != type)
        {
            throw new ArgumentException($"Column '{writer.Column.Name}' is {writer.Column.Type}, not {type}.", nameof(column));
        }

        if (_set[column])
        {
            throw new InvalidOperationException($"Column '{writer.Column.Name}' was already set in this row.");
        }

        if (!hasValue && !writer.Column.Nullable)
        {
            throw new ArgumentNullException(nameof(column), $"Column '{writer.Column.Name}' is required and cannot be null.");
        }

        _set[column] = true;
        if (!hasValue)
        {
            writer.AppendNull();
        }

        return (T)writer;
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException("The file is finished.");
        }

        if (_faulted)
        {
            throw new InvalidOperationException("A previous row was incomplete; the writer cannot continue.");
        }
    }

    private void FlushRowGroup()
    {
        if (_rowsInGroup == 0)
        {
            return;
        }

        var group = new RowGroup { NumRows = _rowsInGroup, FileOffset = _sink.Position };
        var start = _sink.Position;
        long uncompressed = 0;
        foreach (var column in _columns)
        {
            var chunk = column.WriteChunk(_sink, _body);
            uncompressed += chunk.MetaData!.TotalUncompressedSize;
            group.Columns.Add(chunk);
        }

        group.TotalByteSize = uncompressed;
        group.TotalCompressedSize = _sink.Position - start;
        _footer.RowGroups.Add(group);
        _rowsInGroup = 0;
        _bytesInGroup = 0;
    }
}
