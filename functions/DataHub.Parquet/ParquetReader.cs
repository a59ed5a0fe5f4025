using System.Buffers.Binary;
using System.Text;
using DataHub.Parquet.Format;
using DataHub.Parquet.Reading;
using DataHub.Parquet.Thrift;

namespace DataHub.Parquet;

/// <summary>Reads a flat Parquet file from a seekable stream: schema, metadata, row-group statistics, columns and rows.</summary>
/// <remarks>Every offset, length and count read from the file is checked against the file's size before it is trusted;
/// any malformed, truncated or unsupported input raises <see cref="ParquetFormatException"/> naming the file.</remarks>
public sealed class ParquetReader : IDisposable
{
    /// <summary>Footers larger than this are refused rather than read into memory.</summary>
    private const int MaxFooterBytes = 64 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly string _name;
    private readonly long _footerStart;
    private readonly FileMetaData _meta;
    private readonly ColumnLayout[] _layouts;

    private ParquetReader(Stream stream, bool leaveOpen, string name, long footerStart, FileMetaData meta, ColumnLayout[] layouts, IReadOnlyList<RowGroupInfo> rowGroups)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _name = name;
        _footerStart = footerStart;
        _meta = meta;
        _layouts = layouts;
        Schema = new ParquetSchema(layouts.Select(l => l.Column).ToArray());
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in meta.KeyValues)
        {
            metadata[key] = value ?? "";
        }

        Metadata = metadata;
        RowGroups = rowGroups;
    }

    /// <summary>The file's columns.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>The file's key-value metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Rows in the file.</summary>
    public long RowCount => _meta.NumRows;

    /// <summary>The writer that made the file, as it names itself.</summary>
    public string? CreatedBy => _meta.CreatedBy;

    /// <summary>The row groups with their row counts and per-column statistics (for pruning).</summary>
    public IReadOnlyList<RowGroupInfo> RowGroups { get; }

    /// <summary>Reads the footer of a Parquet file; the stream must be seekable and is disposed with the reader unless <paramref name="leaveOpen"/>.</summary>
    public static ParquetReader Open(Stream seekable, string nameForErrors, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(seekable);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        if (!seekable.CanSeek || !seekable.CanRead)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(seekable));
        }

        return Guard(nameForErrors, () =>
        {
            var length = seekable.Length;
            if (length < 12)
            {
                throw new ParquetFormatException(nameForErrors, $"file is {length} bytes, too short to be Parquet");
            }

            Span<byte> edge = stackalloc byte[8];
            ReadAt(seekable, 0, edge[..4]);
            if (!edge[..4].SequenceEqual("PAR1"u8))
            {
                throw new ParquetFormatException(nameForErrors, "missing the leading PAR1 magic bytes");
            }

            ReadAt(seekable, length - 8, edge);
            if (!edge[4..].SequenceEqual("PAR1"u8))
            {
                throw new ParquetFormatException(nameForErrors, "missing the trailing PAR1 magic bytes (truncated or encrypted file?)");
            }

            var footerLength = BinaryPrimitives.ReadInt32LittleEndian(edge);
            if (footerLength <= 0 || footerLength > length - 12 || footerLength > MaxFooterBytes)
            {
                throw new ParquetFormatException(nameForErrors, $"footer length {footerLength} does not fit in a {length}-byte file");
            }

            var footerStart = length - 8 - footerLength;
            var footer = new byte[footerLength];
            ReadAt(seekable, footerStart, footer);
            var meta = FileMetaData.Read(new CompactReader(footer, 0, footer.Length, nameForErrors, "footer"));
            var layouts = Validate(meta, footerStart, nameForErrors);
            var groups = meta.RowGroups.Select(g => new RowGroupInfo(
                g.NumRows,
                g.TotalByteSize,
                g.Columns.Select((c, i) => Statistics.Decode(c.MetaData!.Statistics, layouts[i], nameForErrors)).ToArray())).ToArray();
            return new ParquetReader(seekable, leaveOpen, nameForErrors, footerStart, meta, layouts, groups);
        });
    }

    /// <summary>Reads one column of one row group.</summary>
    public ParquetColumnData ReadColumn(int rowGroup, string column)
    {
        var index = Schema.IndexOf(column);
        if (index < 0)
        {
            throw new ArgumentException($"The file has no column '{column}'.", nameof(column));
        }

        return ReadColumn(rowGroup, index);
    }

    /// <summary>Reads one column (by schema position) of one row group.</summary>
    public ParquetColumnData ReadColumn(int rowGroup, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowGroup);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rowGroup, _meta.RowGroups.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, _layouts.Length);
        return Guard(_name, () =>
        {
            var group = _meta.RowGroups[rowGroup];
            var meta = group.Columns[column].MetaData!;
            var start = ChunkStart(meta);
            var chunk = new byte[meta.TotalCompressedSize];
            ReadAt(_stream, start, chunk);
            var where = $"row group {rowGroup}, column '{_layouts[column].Column.Name}'";
            return new ChunkDecoder(chunk, _layouts[column], meta.Codec, (int)group.NumRows, _name, where).Decode();
        });
    }

    /// <summary>Reads the rows of every row group as CLR values (see <see cref="ParquetColumnData.GetValue"/>), optionally only some columns, in the order given.</summary>
    public IEnumerable<object?[]> ReadRows(IReadOnlyList<string>? columns = null)
    {
        var indexes = columns is null
            ? Enumerable.Range(0, _layouts.Length).ToArray()
            : columns.Select(c => Schema.IndexOf(c) is var i and >= 0 ? i : throw new ArgumentException($"The file has no column '{c}'.", nameof(columns))).ToArray();
        return Rows(indexes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private IEnumerable<object?[]> Rows(int[] indexes)
    {
        for (var g = 0; g < _meta.RowGroups.Count; g++)
        {
            var data = indexes.Select(i => ReadColumn(g, i)).ToArray();
            var rows = (int)_meta.RowGroups[g].NumRows;
            for (var r = 0; r < rows; r++)
            {
                var row = new object?[data.Length];
                for (var c = 0; c < data.Length; c++)
                {
                    row[c] = data[c].GetValue(r);
                }

                yield return row;
            }
        }
    }

    private static long ChunkStart(ColumnMetaData meta) =>
        meta.DictionaryPageOffset is { } dictionary && dictionary > 0 && dictionary < meta.DataPageOffset ? dictionary : meta.DataPageOffset;

    private static ColumnLayout[] Validate(FileMetaData meta, long footerStart, string name)
    {
        ParquetFormatException Fail(string problem) => new(name, problem);
        if (meta.Schema.Count < 2)
        {
            throw Fail("schema has no columns");
        }

        var root = meta.Schema[0];
        if (root.NumChildren != meta.Schema.Count - 1)
        {
            throw Fail("schema is nested or its child count is wrong; only flat schemas are supported");
        }

        var layouts = meta.Schema.Skip(1).Select(e => ColumnLayout.From(e, Fail)).ToArray();
        if (meta.NumRows < 0)
        {
            throw Fail("negative row count");
        }

        long total = 0;
        for (var g = 0; g < meta.RowGroups.Count; g++)
        {
            var group = meta.RowGroups[g];
            if (group.NumRows is < 0 or > int.MaxValue)
            {
                throw Fail($"row group {g} has an impossible row count {group.NumRows}");
            }

            total += group.NumRows;
            if (group.Columns.Count != layouts.Length)
            {
                throw Fail($"row group {g} has {group.Columns.Count} column chunks for {layouts.Length} columns");
            }

            for (var c = 0; c < layouts.Length; c++)
            {
                var chunk = group.Columns[c];
                if (chunk.External)
                {
                    throw Fail($"row group {g} column {c} lives in another file, which is not supported");
                }

                var m = chunk.MetaData ?? throw Fail($"row group {g} column {c} has no metadata");
                if (m.Path.Count != 1 || !string.Equals(m.Path[0], layouts[c].Column.Name, StringComparison.Ordinal))
                {
                    throw Fail($"row group {g} column {c} path does not match the schema");
                }

                if (m.Type != layouts[c].Physical)
                {
                    throw Fail($"row group {g} column '{layouts[c].Column.Name}' has type {m.Type}, the schema says {layouts[c].Physical}");
                }

                if (m.NumValues != group.NumRows)
                {
                    throw Fail($"row group {g} column '{layouts[c].Column.Name}' has {m.NumValues} values for {group.NumRows} rows");
                }

                var start = ChunkStart(m);
                if (start < 4 || m.TotalCompressedSize < 0 || m.TotalCompressedSize > footerStart - start || (group.NumRows > 0 && m.TotalCompressedSize == 0))
                {
                    throw Fail($"row group {g} column '{layouts[c].Column.Name}' lies outside the file's data");
                }
            }
        }

        if (total != meta.NumRows)
        {
            throw Fail($"row groups hold {total} rows but the footer says {meta.NumRows}");
        }

        return layouts;
    }

    private static void ReadAt(Stream stream, long offset, Span<byte> buffer)
    {
        stream.Position = offset;
        stream.ReadExactly(buffer);
    }

    /// <summary>Turns anything unexpected while decoding into a format error naming the file: the caller sees one exception type.</summary>
    private static T Guard<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ParquetFormatException)
        {
            throw;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or IndexOutOfRangeException or ArgumentException
            or OverflowException or InvalidCastException or DecoderFallbackException or FormatException or InvalidOperationException)
        {
            throw new ParquetFormatException(name, $"malformed data ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }
}
