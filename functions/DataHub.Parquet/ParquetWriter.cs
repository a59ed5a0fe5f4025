using System.Buffers;
using Parquet;
using Parquet.Schema;
using LibraryWriter = Parquet.ParquetWriter;

namespace DataHub.Parquet;

/// <summary>Writes a flat Parquet file to a stream one row at a time through Parquet.Net; memory is one row group's values.</summary>
/// <remarks>Set each column of a row (unset nullable columns are null), call <see cref="EndRowAsync"/> (it writes a row group
/// when one is full), and <see cref="FinishAsync"/> at the end. The output need not be seekable (the library counts its
/// position) and is left open; the library flushes it between pages, so a stream whose flush published the object would
/// publish it early: give it the store's pending stream, which publishes only on commit. Disposing without
/// <see cref="FinishAsync"/> abandons the file without writing its footer.</remarks>
public sealed class ParquetWriter : IAsyncDisposable
{
    private static readonly SearchValues<char> Surrogates = SearchValues.Create(
        string.Create(0xE000 - 0xD800, 0, static (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)(0xD800 + i);
            }
        }));

    private readonly HashingOutput _output;
    private readonly ParquetWriterOptions _options;
    private readonly LibraryWriter _file;
    private readonly ParquetOptions _library;
    private readonly ColumnBuffer[] _columns;

    // The schema's types and nullability as arrays: every value set reads them.
    private readonly ParquetType[] _types;
    private readonly bool[] _nullable;
    private readonly bool[] _uncompressed;
    private readonly long _rowBytes;
    private readonly List<long> _rowGroupRows = [];
    private int _rowsInGroup;
    private long _bufferedBytes;
    private bool _finished;
    private bool _faulted;
    private bool _disposed;

    private ParquetWriter(HashingOutput output, ParquetSchema schema, ParquetWriterOptions options, bool[] hashColumns, ParquetOptions library, LibraryWriter file, global::Parquet.Schema.ParquetSchema fields)
    {
        _output = output;
        _options = options;
        _library = library;
        _file = file;
        Schema = schema;
        _columns = [.. schema.Columns.Select((c, i) => BufferFor(c, fields.DataFields[i]))];
        _types = [.. schema.Columns.Select(c => c.Type)];
        _nullable = [.. schema.Columns.Select(c => c.Nullable)];
        _uncompressed = hashColumns;
        _rowBytes = _columns.Sum(c => (long)c.RowBytes);
    }

    /// <summary>The schema being written.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>Rows ended so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Memory held by the rows not yet written as a row group (values, levels and characters).</summary>
    public long BufferedBytes => _bufferedBytes;

    /// <summary>Starts a file on <paramref name="output"/>: writes the leading magic bytes.</summary>
    /// <exception cref="ArgumentException">The schema has no columns, an empty or repeated name, or limits are not positive.</exception>
    /// <exception cref="NotSupportedException">The schema has a TIMESTAMP column (see <see cref="ParquetType.TimestampMicros"/>).</exception>
    public static async Task<ParquetWriter> CreateAsync(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        options ??= new ParquetWriterOptions();
        if (options.RowGroupRows < 1 || options.RowGroupBytes < 1)
        {
            throw new ArgumentException("Row group limits must be positive.", nameof(options));
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

        var fields = LibrarySchema.For(schema);
        var hashing = new HashingOutput(output);
        // Which columns are hash columns is decided once: they get neither a dictionary hint nor the file's codec.
        bool[] hashColumns = [.. schema.Columns.Select(c => options.HashColumns?.Contains(c.Name) == true)];
        var library = LibraryOptions(schema, options, hashColumns);
        var file = await LibraryWriter.CreateAsync(fields, hashing, library, append: false, cancellationToken).ConfigureAwait(false);
        return new ParquetWriter(hashing, schema, options, hashColumns, library, file, fields);
    }

    /// <summary>Sets a column of the current row from a CLR value of its type (bool, int, long, double, DateOnly, string); null leaves it null.</summary>
    public void SetValue(int column, object? value)
    {
        switch (value)
        {
            case null: break;
            case bool b: Set(column, b); break;
            case int i: Set(column, i); break;
            case long l: Set(column, l); break;
            case double d: Set(column, d); break;
            case DateOnly date: Set(column, date); break;
            case string s: Set(column, s); break;
            default: throw new ArgumentException($"Column '{Schema.Columns[column].Name}': a {value.GetType().Name} cannot be written.", nameof(value));
        }
    }

    /// <summary>Sets a BOOLEAN column of the current row.</summary>
    public void Set(int column, bool? value) => SetStruct(column, ParquetType.Boolean, value);

    /// <summary>Sets an INT32 column of the current row.</summary>
    public void Set(int column, int? value) => SetStruct(column, ParquetType.Int32, value);

    /// <summary>Sets an INT64 column of the current row.</summary>
    public void Set(int column, long? value) => SetStruct(column, ParquetType.Int64, value);

    /// <summary>Sets a DOUBLE column of the current row (NaN and -0.0 are kept as given).</summary>
    public void Set(int column, double? value) => SetStruct(column, ParquetType.Double, value);

    /// <summary>Sets a DATE column of the current row.</summary>
    public void Set(int column, DateOnly? value) => SetStruct(column, ParquetType.Date, value);

    /// <summary>Sets a string column of the current row; a string with unpaired surrogates is rejected.</summary>
    public void Set(int column, string? value)
    {
        var buffer = Column<StringBuffer>(column, ParquetType.String, value is not null);
        if (value is null)
        {
            return;
        }

        // Surrogates are rare in our data: check them only when there are any. A SearchValues search, not the generic
        // ContainsAnyInRange, which boxes every character in ahead-of-time compiled code (the published CLI's).
        if (value.AsSpan().ContainsAny(Surrogates) && !WellFormed(value))
        {
            throw new ArgumentException($"Column '{Schema.Columns[column].Name}': the string is not valid Unicode (unpaired surrogate).", nameof(value));
        }

        _bufferedBytes += buffer.Add(value) * sizeof(char);
    }

    /// <summary>Sets a string column of the current row from UTF-8 bytes (validated), without making a string.</summary>
    public void Set(int column, ReadOnlySpan<byte> utf8)
    {
        // Tokens and most text are ASCII: one vector pass tells, and widening it needs no decoder.
        var ascii = System.Text.Ascii.IsValid(utf8);
        if (!ascii && !System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new ArgumentException($"Column '{Schema.Columns[column].Name}': the bytes are not valid UTF-8.", nameof(utf8));
        }

        var buffer = Column<StringBuffer>(column, ParquetType.String, true);
        _bufferedBytes += (ascii ? buffer.AddAscii(utf8) : buffer.AddUtf8(utf8)) * sizeof(char);
    }

    /// <summary>Completes the current row (unset nullable columns become null); writes a row group once one is full.</summary>
    /// <exception cref="InvalidOperationException">A required column was not set; the writer cannot continue.</exception>
    public ValueTask EndRowAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();

        // A column holding no value for this row yet was not set: null, or a fault when it is required.
        for (var i = 0; i < _columns.Length; i++)
        {
            var buffer = _columns[i];
            if (buffer.Rows == _rowsInGroup)
            {
                if (!_nullable[i])
                {
                    // Other columns of this row are already buffered, so the file cannot be completed consistently.
                    _faulted = true;
                    throw new InvalidOperationException($"Required column '{Schema.Columns[i].Name}' was not set for row {RowCount + 1}; the writer cannot continue.");
                }

                buffer.AddNull();
            }
        }

        RowCount++;
        _rowsInGroup++;
        _bufferedBytes += _rowBytes;
        return _rowsInGroup >= _options.RowGroupRows || _bufferedBytes >= _options.RowGroupBytes
            ? new ValueTask(FlushRowGroupAsync(cancellationToken))
            : ValueTask.CompletedTask;
    }

    /// <summary>Writes the buffered rows now as a row group (nothing when none are buffered); callers holding several files use it to stay within a memory cap.</summary>
    public async Task FlushRowGroupAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        if (Array.Exists(_columns, c => c.Rows != _rowsInGroup))
        {
            throw new InvalidOperationException("The current row was not ended; call EndRowAsync first.");
        }

        if (_rowsInGroup == 0)
        {
            return;
        }

        try
        {
            using (var group = _file.CreateRowGroup())
            {
                // The library takes each column chunk's codec from its options as it writes the chunk (each chunk names its own).
                var codec = _library.CompressionMethod;
                for (var i = 0; i < _columns.Length; i++)
                {
                    _library.CompressionMethod = _uncompressed[i] ? CompressionMethod.None : codec;
                    await _columns[i].WriteAsync(group, cancellationToken).ConfigureAwait(false);
                }

                _library.CompressionMethod = codec;

                group.CompleteValidate();
            }
        }
        catch
        {
            // The library has written part of a row group: the file cannot be completed consistently.
            _faulted = true;
            throw;
        }

        foreach (var column in _columns)
        {
            column.Clear();
        }

        _rowGroupRows.Add(_rowsInGroup);
        _rowsInGroup = 0;
        _bufferedBytes = 0;
    }

    /// <summary>Writes the last row group, the key-value metadata and the footer, then flushes the output; returns the whole file's size and SHA-256.</summary>
    public async Task<WrittenFile> FinishAsync(CancellationToken cancellationToken = default)
    {
        await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
        var metadata = new Dictionary<string, string>(_options.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [ContentHash.Key] = ContentHash.Of(_output.Checksum(), Schema, _rowGroupRows),
        };
        _file.CustomMetadata = metadata.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        _finished = true;
        await _file.DisposeAsync().ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new WrittenFile(_output.Bytes, _output.Checksum());
    }

    /// <summary>Returns the buffers to the pool; without <see cref="FinishAsync"/> the file is left without its footer.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            foreach (var column in _columns)
            {
                column.Clear();
            }

            // Disposes only the hash: the output stream itself belongs to the caller.
            _output.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static ParquetOptions LibraryOptions(ParquetSchema schema, ParquetWriterOptions options, bool[] hashColumns)
    {
        var library = new ParquetOptions
        {
            CompressionMethod = options.Compression switch
            {
                ParquetCompression.Gzip => CompressionMethod.Gzip,
                ParquetCompression.Uncompressed => CompressionMethod.None,
                _ => CompressionMethod.Snappy,
            },

            // Decide from the first values whether a column repeats enough for a dictionary, rather than hashing them all.
            DictionaryEncodingSampleSize = 4096,
        };
        if (options.UseDictionary)
        {
            foreach (var column in schema.Columns.Where((c, i) => c.Type == ParquetType.String && !hashColumns[i]))
            {
                library.ColumnEncodingHints[column.Name] = EncodingHint.Dictionary;
            }
        }

        return library;
    }

    private static ColumnBuffer BufferFor(ParquetColumn column, DataField field) => column.Type switch
    {
        ParquetType.Boolean => new ValueBuffer<bool>(field, column.Nullable, sizeof(bool)),
        ParquetType.Int32 => new ValueBuffer<int>(field, column.Nullable, sizeof(int)),
        ParquetType.Int64 => new ValueBuffer<long>(field, column.Nullable, sizeof(long)),
        ParquetType.Double => new ValueBuffer<double>(field, column.Nullable, sizeof(double)),
        ParquetType.Date => new ValueBuffer<DateOnly>(field, column.Nullable, sizeof(int)),
        _ => new StringBuffer(field, column.Nullable),
    };

    private void SetStruct<T>(int column, ParquetType type, T? value)
        where T : struct
    {
        var buffer = Column<ValueBuffer<T>>(column, type, value.HasValue);
        if (value is { } v)
        {
            buffer.Add(v);
        }
    }

    private T Column<T>(int column, ParquetType type, bool hasValue)
        where T : ColumnBuffer
    {
        EnsureWritable();
        if ((uint)column >= (uint)_columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"The schema has {_columns.Length} columns.");
        }

        if (_types[column] != type)
        {
            throw new ArgumentException($"Column '{Schema.Columns[column].Name}' is {_types[column]}, not {type}.", nameof(column));
        }

        // A column that already holds a value for the row being built was set in this row.
        var buffer = _columns[column];
        if (buffer.Rows != _rowsInGroup)
        {
            throw new InvalidOperationException($"Column '{Schema.Columns[column].Name}' was already set in this row.");
        }

        if (!hasValue)
        {
            if (!_nullable[column])
            {
                throw new ArgumentNullException(nameof(column), $"Column '{Schema.Columns[column].Name}' is required and cannot be null.");
            }

            buffer.AddNull();
        }

        return (T)buffer;
    }

    private static bool WellFormed(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(text, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            text = text[used..];
        }

        return true;
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
            throw new InvalidOperationException("A previous row or row group failed; the writer cannot continue.");
        }
    }
}
